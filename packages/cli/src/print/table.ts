import type { KObject } from '@kjobs/api';
import { paintStatusCell } from './color.js';
import { ageSince } from './time.js';
import { GET_TABWRITER, Tabwriter } from './tabwriter.js';

/** meta/v1 TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  description?: string;
  /** 0 = always shown; > 0 = only with `-o wide`. */
  priority?: number;
}

/** meta/v1 TableRow: cells, plus the object (PartialObjectMetadata) it came from. */
export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; uid?: string } };
}

/** meta/v1 Table, as the server answers the Table Accept header. */
export interface Table {
  kind: 'Table';
  apiVersion?: string;
  metadata?: { resourceVersion?: string };
  columnDefinitions?: TableColumn[];
  rows?: TableRow[];
}

/** How `kjobs get` prints a table. */
export interface TablePrintOptions {
  /** `-o wide`: include priority > 0 columns. */
  wide?: boolean;
  /** `-A`: a leading NAMESPACE column. */
  withNamespace?: boolean;
  /** `--show-labels`: a trailing LABELS column. */
  showLabels?: boolean;
  /** When several types are printed, names are prefixed "job.batch/". */
  kindPrefix?: string;
  noHeaders?: boolean;
  /** Colour the Status column. */
  color?: boolean;
}

/** True when a JSON body is a meta/v1 Table. */
export function isTable(body: unknown): body is Table {
  return !!body && typeof body === 'object' && (body as { kind?: unknown }).kind === 'Table';
}

/** `labels.FormatLabels`: "a=b,c=d" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** One cell as kubectl prints it (`%v`); tabs and newlines would break the columns. */
export function formatCell(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  if (typeof cell === 'string') return cell.replace(/[\t\n]/g, ' ');
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
}

/**
 * A degraded table (NAME, AGE) for a server that answered a plain list or object instead of a
 * Table, as kubectl prints in that case.
 */
export function objectsAsTable(items: KObject[], now: Date): Table {
  return {
    kind: 'Table',
    columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', priority: 0 }, { name: 'Age', type: 'string', priority: 0 }],
    rows: items.map((o) => ({ cells: [o.metadata.name ?? '', ageSince(o.metadata.creationTimestamp, now)], object: { metadata: o.metadata } })),
  };
}

/**
 * Prints rows of one resource table: the header once, then rows; column widths are remembered
 * across calls so rows printed later (watch events) line up under the header.
 */
export class TablePrinter {
  private readonly writer = new Tabwriter(GET_TABWRITER);
  private headerPrinted = false;
  private columns: TableColumn[] = [];

  constructor(private readonly opts: TablePrintOptions = {}) {}

  /** Whether the header was printed (some rows were). */
  get started(): boolean {
    return this.headerPrinted;
  }

  /**
   * Text for `rows` (and the header before the first rows). `columns` replaces the known column
   * definitions when given (watch events after the first may omit them).
   */
  print(columns: TableColumn[] | undefined, rows: TableRow[]): string {
    if (columns && columns.length) this.columns = columns;
    if (rows.length === 0) return '';
    const shown = this.columns.map((c, i) => ({ c, i })).filter(({ c }) => this.opts.wide || !c.priority);
    const statusCells = new Set<number>();
    const lines: string[][] = [];
    const header: string[] = [];
    if (this.opts.withNamespace) header.push('NAMESPACE');
    for (const { c } of shown) {
      if (c.name.toLowerCase() === 'status') statusCells.add(header.length);
      header.push(c.name.toUpperCase());
    }
    if (this.opts.showLabels) header.push('LABELS');
    if (!this.headerPrinted && !this.opts.noHeaders) lines.push(header);
    for (const row of rows) {
      const line: string[] = [];
      if (this.opts.withNamespace) line.push(row.object?.metadata?.namespace ?? '');
      shown.forEach(({ i }, k) => {
        let cell = formatCell(row.cells[i]);
        if (k === 0 && this.opts.kindPrefix) cell = `${this.opts.kindPrefix}/${cell}`;
        line.push(cell);
      });
      if (this.opts.showLabels) line.push(formatLabels(row.object?.metadata?.labels));
      lines.push(line);
    }
    const headerLines = !this.headerPrinted && !this.opts.noHeaders ? 1 : 0;
    this.headerPrinted = true;
    const text = lines.map((l) => `${l.join('\t')}\n`).join('');
    return this.writer.format(text, this.opts.color
      ? (line, cell, padded) => (line >= headerLines && statusCells.has(cell) ? paintStatusCell(padded) : padded)
      : undefined);
  }
}
