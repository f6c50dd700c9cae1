/**
 * Completion indexes of Indexed Jobs (Kubernetes indexed_job_utils.go): the interval strings of
 * `status.completedIndexes` / `status.failedIndexes` / successPolicy `succeededIndexes`, the index
 * of a pod, and the lowest indexes still to be created.
 */
import type { Pod } from '@kjobs/api';
import { JOB_COMPLETION_INDEX_ANNOTATION } from './constants.js';

/** A closed range of indexes, `first <= last`. */
export interface Interval {
  first: number;
  last: number;
}

/** Sorted, non-overlapping, non-adjacent intervals. */
export type Intervals = readonly Interval[];

/** Index of a pod that has none or an invalid one. */
export const UNKNOWN_COMPLETION_INDEX = -1;

/**
 * Parse `"1,3-5,7"` into ordered intervals, keeping only indexes `< completions` (a range crossing
 * the limit is cut, an interval starting at or past it ends the parse). Corrupt pieces are skipped,
 * as Kubernetes does; touching neighbours are merged.
 */
export function parseIndexes(text: string | null | undefined, completions: number): Interval[] {
  if (!text) return [];
  const out: Interval[] = [];
  for (const piece of text.split(',')) {
    const limits = piece.split('-');
    const first = parseDecimal(limits[0]);
    if (first === null) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      const l = parseDecimal(limits[1]);
      if (l === null) continue;
      last = Math.min(l, completions - 1);
    }
    const prev = out[out.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else out.push({ first, last });
  }
  return out;
}

function parseDecimal(s: string | undefined): number | null {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Format intervals as Kubernetes does: three or more consecutive indexes as `a-b`, two as `a,b`,
 * one as `a`; pieces joined by commas (`"1,3-5,7,8"`).
 */
export function formatIndexes(intervals: Intervals): string {
  const parts: string[] = [];
  for (const { first, last } of intervals) {
    if (last === first) parts.push(String(first));
    else if (last === first + 1) parts.push(`${first},${last}`);
    else parts.push(`${first}-${last}`);
  }
  return parts.join(',');
}

/** Merge two interval lists into one ordered list (touching intervals coalesce). */
export function mergeIntervals(a: Intervals, b: Intervals): Interval[] {
  const out: Interval[] = [];
  const push = (iv: Interval) => {
    const prev = out[out.length - 1];
    if (!prev || iv.first > prev.last + 1) out.push({ first: iv.first, last: iv.last });
    else if (prev.last < iv.last) prev.last = iv.last;
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]!.first < b[j]!.first) push(a[i++]!);
    else push(b[j++]!);
  }
  while (i < a.length) push(a[i++]!);
  while (j < b.length) push(b[j++]!);
  return out;
}

/** The intervals plus the given indexes (any order, duplicates allowed). */
export function withIndexes(intervals: Intervals, indexes: Iterable<number>): Interval[] {
  const sorted = [...new Set(indexes)].sort((x, y) => x - y);
  return mergeIntervals(intervals, sorted.map((n) => ({ first: n, last: n })));
}

/** How many indexes the intervals hold. */
export function countIndexes(intervals: Intervals): number {
  let n = 0;
  for (const iv of intervals) n += iv.last - iv.first + 1;
  return n;
}

/** True when `ix` is inside one of the intervals (binary search). */
export function hasIndex(intervals: Intervals, ix: number): boolean {
  let lo = 0;
  let hi = intervals.length;
  while (hi > lo) {
    const mid = lo + ((hi - lo) >> 1);
    if (intervals[mid]!.last >= ix) hi = mid;
    else lo = mid + 1;
  }
  return hi < intervals.length && intervals[hi]!.first <= ix;
}

/**
 * The completion index of a pod: the `batch.kubernetes.io/job-completion-index` annotation, else the
 * label of the same name; anything non-numeric or negative is {@link UNKNOWN_COMPLETION_INDEX}.
 */
export function podCompletionIndex(pod: Pod): number {
  const raw = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (raw === undefined) return UNKNOWN_COMPLETION_INDEX;
  const n = parseDecimal(raw);
  return n === null || n < 0 ? UNKNOWN_COMPLETION_INDEX : n;
}

/** The set of known indexes of the given pods. */
export function indexesOfPods(pods: readonly Pod[]): Set<number> {
  const out = new Set<number>();
  for (const p of pods) {
    const ix = podCompletionIndex(p);
    if (ix !== UNKNOWN_COMPLETION_INDEX) out.add(ix);
  }
  return out;
}

/**
 * The lowest `count` indexes in `[0, completions)` that are in none of the `taken` interval lists
 * (succeeded, failed, active and — with podReplacementPolicy Failed — terminating indexes).
 */
export function firstPendingIndexes(count: number, completions: number, taken: Intervals): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  let candidate = 0;
  for (const iv of taken) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}
