/**
 * Go's `text/tabwriter` column algorithm, which kubectl prints everything through: cells are
 * tab-terminated, a column block is a run of consecutive lines that have a cell in that column,
 * and every cell of a block is padded to the block's widest cell plus `padding` (at least
 * `minwidth`). The last cell of a line is never padded.
 *
 * With `rememberWidths` (the liggitt/tabwriter fork kubectl uses for `get`), column widths only
 * grow across flushes, which is why `kubectl get -w` rows line up under the header they follow.
 */

/** Options of one writer, as the arguments of Go's `tabwriter.NewWriter`. */
export interface TabwriterOptions {
  /** Minimal cell width including padding (kubectl get: 6, describe: 0). */
  minwidth: number;
  /** Spaces added to the widest cell of a column (kubectl get: 3, describe: 2). */
  padding: number;
  /** Keep column widths from earlier flushes (kubectl get). */
  rememberWidths?: boolean;
}

/** Restyles one padded cell (line index within the formatted text, cell index). */
export type CellDecorator = (line: number, cell: number, padded: string) => string;

/** kubectl get's writer: `tabwriter.NewWriter(out, 6, 4, 3, ' ', tabwriter.RememberWidths)`. */
export const GET_TABWRITER: TabwriterOptions = { minwidth: 6, padding: 3, rememberWidths: true };
/** kubectl describe's writer: `tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)`. */
export const DESCRIBE_TABWRITER: TabwriterOptions = { minwidth: 0, padding: 2 };

/** Display width of a cell (runes, as Go counts them). */
export function cellWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * A stateful writer: `format(text)` aligns one flush worth of text (lines ending in "\n", cells
 * ending in "\t") and returns it; with `rememberWidths` later flushes keep earlier widths.
 */
export class Tabwriter {
  private maxWidths: number[] = [];
  private decorate: CellDecorator | undefined;

  constructor(private readonly opts: TabwriterOptions) {}

  /** Forget remembered widths (kubectl does so when a new resource table starts). */
  resetWidths(): void {
    this.maxWidths = [];
  }

  /**
   * Align `text`; a final line without "\n" is kept without one. `decorate` may restyle a cell
   * after it was padded (colour), given the line and cell index within this text.
   */
  format(text: string, decorate?: CellDecorator): string {
    if (text === '') return '';
    const endsWithNewline = text.endsWith('\n');
    const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
    const out: string[] = [];
    const widths: number[] = [];
    this.decorate = decorate;
    this.formatBlock(lines, 0, lines.length, widths, out);
    this.decorate = undefined;
    return out.join('\n') + (endsWithNewline ? '\n' : '');
  }

  /** Go's `(*Writer).format`: recursive column blocks. */
  private formatBlock(lines: string[][], line0: number, line1: number, widths: number[], out: string[]): void {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      this.writeLines(lines, start, i, widths, out);
      start = i;
      let width = this.opts.minwidth;
      let j = i;
      for (; j < line1; j++) {
        const line = lines[j]!;
        if (column >= line.length - 1) break;
        const w = cellWidth(line[column]!) + this.opts.padding;
        if (w > width) width = w;
      }
      if (this.opts.rememberWidths) {
        if (this.maxWidths.length < widths.length) this.maxWidths.push(...widths.slice(this.maxWidths.length));
        const remembered = this.maxWidths[column];
        if (remembered === undefined) this.maxWidths.push(width);
        else if (remembered > width) width = remembered;
        else this.maxWidths[column] = width;
      }
      widths.push(width);
      this.formatBlock(lines, i, j, widths, out);
      widths.pop();
      start = j;
      i = j - 1;
    }
    this.writeLines(lines, start, line1, widths, out);
  }

  private writeLines(lines: string[][], from: number, to: number, widths: number[], out: string[]): void {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let s = '';
      cells.forEach((cell, j) => {
        let padded = cell;
        const w = widths[j];
        if (j < cells.length - 1 && w !== undefined) padded += ' '.repeat(Math.max(0, w - cellWidth(cell)));
        s += this.decorate ? this.decorate(i, j, padded) : padded;
      });
      out.push(s);
    }
  }
}

/** One-shot alignment of `text` with fresh state. */
export function alignTabs(text: string, opts: TabwriterOptions): string {
  return new Tabwriter(opts).format(text);
}
