/**
 * `-o custom-columns=NAME:.metadata.name,…` and `-o custom-columns-file=FILE`, as kubectl's
 * CustomColumnsPrinter: one JSONPath per column (missing keys allowed), `<none>` when a column
 * finds nothing, several values joined by commas, each as Go's `%v`, aligned by kubectl get's
 * tabwriter.
 */
import { goSprint } from './go-value.js';
import { JsonPath } from './jsonpath.js';
import { GET_TABWRITER, Tabwriter } from './tabwriter.js';

/** One user column: its header and its `{…}` JSONPath. */
export interface CustomColumn {
  header: string;
  fieldSpec: string;
}

/**
 * kubectl's RelaxedJSONPathExpression: `metadata.name`, `.metadata.name`, `{metadata.name}` and
 * `{.metadata.name}` all become `{.metadata.name}`.
 */
export function relaxedJsonPath(expr: string): string {
  if (expr === '') return expr;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expr);
  if (!m) throw new Error("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] || m[2]}}`;
}

/** Columns from `-o custom-columns=HEADER:PATH,…`. */
export function columnsFromSpec(spec: string): CustomColumn[] {
  if (spec === '') throw new Error('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) throw new Error(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, colon), fieldSpec: relaxedJsonPath(part.slice(colon + 1)) };
  });
}

/** Columns from a custom-columns file: a line of headers, then a line of paths (whitespace-separated). */
export function columnsFromTemplate(text: string): CustomColumn[] {
  const lines = text.split('\n');
  const words = (line: string | undefined) => (line ?? '').split(/[ \t\r\v\f]+/).filter(Boolean);
  if (lines.length < 1 || (lines.length === 1 && lines[0] === '')) {
    throw new Error('invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.');
  }
  if (lines.length < 2 || (lines.length === 2 && lines[1] === '')) {
    throw new Error('invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.');
  }
  const headers = words(lines[0]);
  const specs = words(lines[1]);
  if (headers.length !== specs.length) throw new Error(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((header, i) => ({ header, fieldSpec: relaxedJsonPath(specs[i]!) }));
}

/** Control characters a value may not send to the terminal (cli-runtime's EscapeTerminal). */
function escapeTerminal(s: string): string {
  return s.replace(/\x1b/g, '^[').replace(/\r/g, '\\r');
}

/**
 * Prints objects as custom columns; the header once, column widths remembered across calls
 * (watch events line up).
 */
export class CustomColumnsPrinter {
  private readonly paths: JsonPath[];
  private readonly writer = new Tabwriter(GET_TABWRITER);
  private headerPrinted = false;

  /** Parse every column's path; throws the parse error of the first bad one. */
  constructor(private readonly columns: CustomColumn[], private readonly noHeaders = false) {
    this.paths = columns.map((c) => new JsonPath(c.fieldSpec, { allowMissingKeys: true }));
  }

  /** The text for `objects` (the header before the first call's rows). */
  print(objects: unknown[]): string {
    const lines: string[] = [];
    if (!this.noHeaders && !this.headerPrinted) lines.push(this.columns.map((c) => c.header).join('\t'));
    this.headerPrinted = true;
    for (const obj of objects) {
      lines.push(this.paths.map((p) => {
        const values = p.findResults(obj);
        const strings = values.length === 0 || values[0]!.length === 0 ? ['<none>'] : [];
        for (const list of values) for (const v of list) strings.push(escapeTerminal(goSprint(v)));
        return strings.join(',');
      }).join('\t'));
    }
    return this.writer.format(lines.map((l) => `${l}\n`).join(''));
  }
}
