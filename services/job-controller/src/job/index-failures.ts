/**
 * Per-index failure bookkeeping for `backoffLimitPerIndex` (Kubernetes indexed_job_utils.go): the
 * failure-count annotations a replacement pod inherits, and whether an index has failed.
 */
import type { Job, Pod } from '@kjobs/api';
import { JOB_INDEX_FAILURE_COUNT_ANNOTATION, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION } from './constants.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { isPodFailed } from './pod-facts.js';

const MAX_INT32 = 2147483647;

function parseCount(v: string | undefined): number {
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n < 0 || n > MAX_INT32 ? 0 : n;
}

/** The pod's `job-index-failure-count` annotation; 0 when missing or invalid. */
export function indexFailureCount(pod: Pod): number {
  return parseCount(pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT_ANNOTATION]);
}

/** The pod's `job-index-ignored-failure-count` annotation; 0 when missing or invalid. */
export function indexIgnoredFailureCount(pod: Pod): number {
  return parseCount(pod.metadata.annotations?.[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]);
}

/** Counted plus ignored failures recorded on the pod. */
export function indexAbsoluteFailureCount(pod: Pod): number {
  return indexFailureCount(pod) + indexIgnoredFailureCount(pod);
}

/**
 * The two counts a replacement for `replaced` starts with: the failed pod's counts plus one in the
 * counted or the ignored column (an Ignore rule match goes to ignored). No replaced pod → 0, 0.
 */
export function nextIndexFailureCounts(job: Job, replaced: Pod | undefined): { failed: number; ignored: number } {
  if (!replaced) return { failed: 0, ignored: 0 };
  let failed = indexFailureCount(replaced);
  let ignored = indexIgnoredFailureCount(replaced);
  if (matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed) failed++;
  else ignored++;
  return { failed, ignored };
}

/**
 * True when this failed pod makes its index failed: a FailIndex rule matched, or the failure is
 * counted and the pod's failure count already reached `backoffLimitPerIndex`.
 */
export function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  const m = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
  if (m.action === 'FailIndex') return true;
  return m.countFailed && indexFailureCount(pod) >= (job.spec.backoffLimitPerIndex ?? 0);
}
