import YAML from 'yaml';
import { emptyFacts, type DecodeFacts } from './json-text.js';

/** A YAML body kube-apiserver could not convert to JSON. */
export class YamlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

/** A YAML document's value and what strict decoding reports about it. */
export interface YamlDecoded {
  value: unknown;
  facts: DecodeFacts;
  /** Keys given twice, in go-yaml's words: `line 5: key "name" already set in map`. */
  duplicateLines: string[];
}

/**
 * Parse one YAML document as sigs.k8s.io/yaml does on its way to JSON: the last of two equal keys
 * wins (the repeats are returned for strict field validation), integers keep their exact text
 * when a JS number cannot hold them (so an int64 field can refuse them by their digits).
 */
export function parseYamlText(text: string): YamlDecoded {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, intAsBigInt: true });
  const duplicateLines: string[] = [];
  for (const e of doc.errors) {
    if (e.code !== 'DUPLICATE_KEY') {
      // go-yaml's shape: "yaml: line 2: <what>".
      const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new YamlSyntaxError(`yaml: line ${e.linePos?.[0]?.line ?? 0}: ${what}`);
    }
    const key = keyAt(text, e.pos[0]);
    duplicateLines.push(`line ${e.linePos?.[0]?.line ?? 0}: key ${JSON.stringify(key)} already set in map`);
  }
  const facts = emptyFacts();
  let value: unknown;
  try {
    value = liftBigInts(doc.toJS({ maxAliasCount: 50 }), facts);
  } catch (e) {
    throw new YamlSyntaxError((e as Error).message.split('\n')[0]!);
  }
  return { value, facts, duplicateLines };
}

/** The key of a mapping entry starting at `offset`, unquoted (`name`, `"name"`, `'name'`). */
function keyAt(text: string, offset: number): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:#\n]*?))\s*:/.exec(text.slice(offset, offset + 1024));
  if (!m) return '';
  if (m[1] !== undefined) return unquoteDouble(m[1]);
  if (m[2] !== undefined) return m[2].replace(/''/g, "'");
  return m[3] ?? '';
}

/** Replace BigInts by numbers, recording the digits of those a number does not hold exactly. */
function liftBigInts(v: unknown, facts: DecodeFacts): unknown {
  if (Array.isArray(v)) {
    v.forEach((x, i) => (v[i] = liftChild(v, String(i), x, facts)));
    return v;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = liftChild(o, k, o[k], facts);
    return o;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

function liftChild(holder: object, key: string, x: unknown, facts: DecodeFacts): unknown {
  if (typeof x !== 'bigint') return liftBigInts(x, facts);
  const n = Number(x);
  if (!Number.isSafeInteger(n)) {
    let m = facts.numbers.get(holder);
    if (!m) facts.numbers.set(holder, (m = new Map()));
    m.set(key, x.toString());
  }
  return n;
}

function unquoteDouble(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}
