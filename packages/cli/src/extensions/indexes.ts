/**
 * Completion-index lists as Kubernetes writes them (`"3,7-9"`), for the kjobs extensions
 * (`rerun --indexes`, `why`'s per-index budget). Pure.
 */
import { CliError } from '../errors.js';

/** Parse `"3,7-9"` into the ascending, de-duplicated indexes it names; throws a CliError when malformed. */
export function parseIndexList(text: string): number[] {
  const out = new Set<number>();
  for (const raw of text.split(',')) {
    const piece = raw.trim();
    if (!piece) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(piece);
    if (!m) throw new CliError(`invalid index "${piece}": use a list like 3,7-9`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new CliError(`invalid index range "${piece}": the end is before the start`);
    if (last - first > 100_000) throw new CliError(`index range "${piece}" is too long`);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Format ascending indexes as Kubernetes does: three or more in a row as `a-b`, otherwise one by one. */
export function formatIndexList(indexes: readonly number[]): string {
  const pieces: string[] = [];
  for (let i = 0; i < indexes.length;) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    if (j - i >= 2) pieces.push(`${indexes[i]}-${indexes[j]}`);
    else for (let k = i; k <= j; k++) pieces.push(String(indexes[k]));
    i = j + 1;
  }
  return pieces.join(',');
}
