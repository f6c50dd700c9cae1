/**
 * Pod-recreation backoff (Kubernetes backoff_utils.go). After consecutive pod failures the
 * controller waits `min(10s · 2^(failures-1), 10m)` from the last failure before creating
 * replacements. The record lives in memory per Job key (it is lost on controller restart, as in
 * Kubernetes) and is updated from each sync's newly finished pods.
 */
import type { Pod } from '@kjobs/api';
import { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from './constants.js';
import { podFinishedTimeMs } from './pod-facts.js';
import { indexAbsoluteFailureCount } from './index-failures.js';

/** Consecutive failures since the last success and when the last one finished. */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** Epoch ms of the last counted failure; null when there is none. */
  lastFailureTimeMs: number | null;
}

/** The record of a Job that never failed. */
export const EMPTY_BACKOFF: BackoffRecord = Object.freeze({ failuresAfterLastSuccess: 0, lastFailureTimeMs: null });

/**
 * The record after this sync's newly finished pods (`newBackoffRecord`):
 * - only new failures: add them; the last failure time is the latest finish time;
 * - any new success: start again from zero and count only the failures that finished after the
 *   latest new success.
 */
export function nextBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
  const base = prev ?? EMPTY_BACKOFF;
  const failedTimes = newFailed.map(podFinishedTimeMs).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return { ...base };
    return {
      failuresAfterLastSuccess: base.failuresAfterLastSuccess + failedTimes.length,
      lastFailureTimeMs: failedTimes[failedTimes.length - 1]!,
    };
  }
  const lastSuccess = newSucceeded.reduce((m, p) => Math.max(m, podFinishedTimeMs(p)), -Infinity);
  const after = failedTimes.filter((t) => t > lastSuccess);
  return {
    failuresAfterLastSuccess: after.length,
    lastFailureTimeMs: after.length > 0 ? after[after.length - 1]! : null,
  };
}

/** The backoff after `failures` consecutive failures: 0, then base · 2^(failures-1) capped at max. */
export function backoffDelayMs(failures: number, baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (failures <= 0) return 0;
  let d = baseMs;
  for (let i = 1; i < failures; i++) {
    d *= 2;
    if (d >= maxMs) return maxMs;
  }
  return Math.min(d, maxMs);
}

/**
 * How long pod creation must still wait: `delay(failures) - (now - lastFailure)`, never negative;
 * 0 when there were no failures.
 */
export function remainingBackoffMs(
  failures: number,
  lastFailureTimeMs: number | null,
  nowMs: number,
  baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (failures <= 0 || lastFailureTimeMs === null) return 0;
  const delay = backoffDelayMs(failures, baseMs, maxMs);
  const elapsed = nowMs - lastFailureTimeMs;
  return delay < elapsed ? 0 : delay - elapsed;
}

/** {@link remainingBackoffMs} for a whole Job's record. */
export function remainingJobBackoffMs(record: BackoffRecord, nowMs: number): number {
  return remainingBackoffMs(record.failuresAfterLastSuccess, record.lastFailureTimeMs, nowMs);
}

/**
 * Per-index variant (backoffLimitPerIndex): the failures of the index are the last failed pod's
 * failure count + ignored count + 1, measured from that pod's finish time. No pod → 0.
 */
export function remainingIndexBackoffMs(lastFailedPod: Pod | undefined, nowMs: number): number {
  if (!lastFailedPod) return 0;
  return remainingBackoffMs(indexAbsoluteFailureCount(lastFailedPod) + 1, podFinishedTimeMs(lastFailedPod), nowMs);
}
