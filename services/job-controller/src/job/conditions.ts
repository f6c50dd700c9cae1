/**
 * Job conditions: types, reasons and messages exactly as Kubernetes writes them, and the small
 * helpers that read and update the list (job_controller.go, util/utils.go).
 */
import { type Job, type JobCondition, rfc3339 } from '@kjobs/api';

/** Reasons and messages of the Job's terminal and interim conditions. */
export const JOB_REASONS = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  FailedIndexes: 'Job has failed indexes',
  CompletionsReached: 'Reached expected number of succeeded pods',
} as const;

/** Reason of a FailureTarget condition raised by a FailJob podFailurePolicy rule. */
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';
/** Reason of a SuccessCriteriaMet condition raised by a successPolicy rule. */
export const REASON_SUCCESS_POLICY = 'SuccessPolicy';

/** A new condition with both timestamps set to `now` (RFC 3339, second precision). */
export function newJobCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: Date): JobCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t };
}

export { rfc3339 };

/** The condition of that type, if present. */
export function findCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

/** True when the Job has the condition with status True. */
export function hasTrueCondition(job: Job, type: string): boolean {
  return findCondition(job.status?.conditions, type)?.status === 'True';
}

/** A Job is finished when Complete=True or Failed=True (`util.IsJobFinished`). */
export function isJobFinished(job: Job): boolean {
  return hasTrueCondition(job, 'Complete') || hasTrueCondition(job, 'Failed');
}

/** The finished condition type of the Job, if any. */
export function jobFinishedType(job: Job): 'Complete' | 'Failed' | undefined {
  if (hasTrueCondition(job, 'Complete')) return 'Complete';
  if (hasTrueCondition(job, 'Failed')) return 'Failed';
  return undefined;
}

/**
 * `ensureJobConditionStatus`: set the condition of `type` to (status, reason, message), replacing
 * it (with fresh timestamps) when any of the three differs. A missing condition is appended unless
 * the new status is False (nothing → False is meaningless). Returns a new list and whether it changed.
 */
export function ensureConditionStatus(
  conditions: readonly JobCondition[] | undefined,
  type: string,
  status: JobCondition['status'],
  reason: string,
  message: string,
  now: Date,
): { conditions: JobCondition[]; changed: boolean } {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status !== status || (c.reason ?? '') !== reason || (c.message ?? '') !== message) {
      list[i] = newJobCondition(type, status, reason, message, now);
      return { conditions: list, changed: true };
    }
    return { conditions: list, changed: false };
  }
  if (status !== 'False') {
    list.push(newJobCondition(type, status, reason, message, now));
    return { conditions: list, changed: true };
  }
  return { conditions: list, changed: false };
}
