import { gone, type ApiError } from '@kjobs/api';

/** The two numbers of a change-log entry the Gone rules look at. */
export interface ChainLink {
  /** Revision of the change. */
  rv: bigint;
  /** Revision of the previous change in the same kind's log (0n for the first). */
  prev: bigint;
}

/**
 * Decide whether reading a kind's log after `rv` is complete (design §4.5). Returns the 410 to
 * throw, or undefined when `entries` (the log entries after rv, oldest first) are exactly the
 * changes after rv:
 * 1. rv < floor: the store restarted or was restored since rv was issued.
 * 2. rv > current: a revision the store never issued ("Too large resource version").
 * 3. the first entry's prev > rv: entries between rv and it were trimmed.
 * 4. a later entry's prev ≠ the entry before it: the log was trimmed while it was being read.
 * A quiet kind never fails rule 3: its first entry after rv points back to at most rv.
 */
export function checkChain(rv: bigint, floor: bigint, current: bigint, entries: readonly ChainLink[]): ApiError | undefined {
  if (rv < floor) return gone(`too old resource version: ${rv} (${floor})`);
  if (rv > current) return gone(`Too large resource version: ${rv}, current: ${current}`);
  let last = rv;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const broken = i === 0 ? e.prev > rv : e.prev !== last;
    if (broken) return gone(`too old resource version: ${rv} (${e.prev})`);
    last = e.rv;
  }
  return undefined;
}

/** Parse a resourceVersion as a revision; undefined when it is not a plain decimal integer. */
export function parseRevision(rv: string): bigint | undefined {
  return /^\d{1,19}$/.test(rv) ? BigInt(rv) : undefined;
}
