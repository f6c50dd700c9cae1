import { DESCRIBE_TABWRITER, alignTabs } from './tabwriter.js';

/** Indentation levels of kubectl's describe PrefixWriter (two spaces each). */
export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;
export const LEVEL_4 = 4;

/**
 * kubectl describe's PrefixWriter: text with tab-separated cells, indented by level, aligned
 * with Go's tabwriter (padding 2) when done. `flush()` ends an alignment block early, as kubectl
 * does before the Events table.
 */
export class DescribeWriter {
  private readonly done: string[] = [];
  private current = '';

  /** Write `text` indented by `level` (only the first line of the text is indented, as in Go). */
  write(level: number, text: string): void {
    this.current += '  '.repeat(level) + text;
  }

  /** Write `text` and a newline without indentation. */
  writeLine(text = ''): void {
    this.current += `${text}\n`;
  }

  /** Align what was written so far on its own. */
  flush(): void {
    if (this.current) this.done.push(alignTabs(this.current, DESCRIBE_TABWRITER));
    this.current = '';
  }

  /** The aligned text. */
  toString(): string {
    this.flush();
    return this.done.join('');
  }
}

/** kubectl's `printLabelsMultilineWithIndent`: "Labels:\ta=b" and one more line per label. */
export function writeLabels(
  w: DescribeWriter, title: string, labels: Record<string, string> | undefined, initialIndent = '', innerIndent = '\t',
): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(LEVEL_0, `${initialIndent}${innerIndent}`);
    w.write(LEVEL_0, `${k}=${labels![k]}\n`);
  });
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_ANNOTATION_LEN = 140;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/**
 * kubectl's `printAnnotationsMultiline`: "key: value" lines sorted by key, the last-applied
 * annotation skipped, long or multi-line values on their own indented lines.
 */
export function writeAnnotations(w: DescribeWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {}).filter((k) => k !== LAST_APPLIED).sort();
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const value = annotations![key]!.replace(/\n$/, '');
    if (value.length + key.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const s of value.split('\n')) w.write(LEVEL_0, `${indent}  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

/** A toleration as kubectl prints it: "key=value:Effect op=Exists for 300s". */
export function formatToleration(t: { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
  return s;
}

/** kubectl's `printTolerationsMultiline` / taints: one item per line under a title. */
export function writeMultiline(w: DescribeWriter, title: string, items: string[], initialIndent = ''): void {
  w.write(LEVEL_0, `${initialIndent}${title}:\t`);
  if (items.length === 0) {
    w.writeLine('<none>');
    return;
  }
  items.forEach((item, i) => {
    if (i !== 0) w.write(LEVEL_0, `${initialIndent}\t`);
    w.write(LEVEL_0, `${item}\n`);
  });
}

/** Go's `%v` of a bool pointer as kubectl's `printBoolPtr` prints it. */
export function boolPtr(v: boolean | undefined): string {
  return v === undefined ? '<unset>' : String(v);
}
