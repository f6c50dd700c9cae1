/**
 * Whether this sync finds the Job finished, and why (Kubernetes syncJob step 10). The result is
 * the interim condition (FailureTarget / SuccessCriteriaMet) or, for a Job that already carries
 * FailureTarget, the Failed condition it turns into.
 */
import type { Job, JobCondition, Pod } from '@kjobs/api';
import { JOB_REASONS, REASON_POD_FAILURE_POLICY, REASON_SUCCESS_POLICY, findCondition, newJobCondition } from './conditions.js';
import { countIndexes } from './indexes.js';
import type { JobContext } from './job-context.js';
import { failJobMessage } from './pod-failure-policy.js';
import { isPodFailed, podRestartCount, timeMs } from './pod-facts.js';
import { matchSuccessPolicy } from './success-policy.js';

/** The finished decision and the requeue the active deadline asks for, if any. */
export interface FinishedDecision {
  /** FailureTarget, SuccessCriteriaMet, or Failed (from an existing FailureTarget); null = not finished. */
  condition: JobCondition | null;
  /** activeDeadlineSeconds not yet reached: sync again after this long. */
  deadlineRequeueMs?: number;
}

/**
 * OnFailure only: the restarts of containers in Running or Pending pods reached backoffLimit
 * (any restart at all when backoffLimit is 0). Restarts of finished pods do not count.
 */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[], backoffLimit: number): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase === 'Running' || p.status?.phase === 'Pending') restarts += podRestartCount(p);
  }
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

/** Milliseconds left before activeDeadlineSeconds passes (≤ 0 = passed); null when it does not apply. */
export function activeDeadlineRemainingMs(ctx: Pick<JobContext, 'job' | 'suspended' | 'startTime' | 'nowMs'>): number | null {
  const ads = ctx.job.spec.activeDeadlineSeconds;
  if (ads === undefined || ctx.startTime === undefined || ctx.suspended) return null;
  return ads * 1000 - (ctx.nowMs - timeMs(ctx.startTime));
}

/**
 * Decide the finished condition; the first match wins:
 * 1. an existing SuccessCriteriaMet=True;
 * 2. an existing FailureTarget=True → Failed with its reason and message;
 * 3. a failed pod matching a FailJob rule → FailureTarget/PodFailurePolicy;
 * 4. failed > backoffLimit, or the OnFailure restart rule → FailureTarget/BackoffLimitExceeded;
 * 5. activeDeadlineSeconds passed → FailureTarget/DeadlineExceeded (else a deadline requeue);
 * 6. backoffLimitPerIndex: too many failed indexes → MaxFailedIndexesExceeded; every index
 *    decided with some failed → FailedIndexes;
 * 7. Indexed with successPolicy: a rule met → SuccessCriteriaMet/SuccessPolicy.
 * (Reaching completions is decided after manageJob, see decideCompletion.)
 */
export function decideFinishedCondition(ctx: JobContext): FinishedDecision {
  const { job, now } = ctx;
  const conditions = job.status?.conditions;
  const scm = findCondition(conditions, 'SuccessCriteriaMet');
  if (scm?.status === 'True') return { condition: scm };
  const ft = findCondition(conditions, 'FailureTarget');
  if (ft?.status === 'True') return { condition: newJobCondition('Failed', 'True', ft.reason ?? '', ft.message ?? '', now) };
  const msg = failJobMessage(job, ctx.pods, (p) => isPodFailed(p, job));
  if (msg !== undefined) return { condition: newJobCondition('FailureTarget', 'True', REASON_POD_FAILURE_POLICY, msg, now) };

  let deadlineRequeueMs: number | undefined;
  if (ctx.failed > ctx.backoffLimit || pastBackoffLimitOnFailure(job, ctx.pods, ctx.backoffLimit)) {
    return { condition: failure('BackoffLimitExceeded', now) };
  }
  const remaining = activeDeadlineRemainingMs(ctx);
  if (remaining !== null && remaining <= 0) return { condition: failure('DeadlineExceeded', now) };
  if (remaining !== null) deadlineRequeueMs = remaining;

  const result = (condition: JobCondition | null): FinishedDecision =>
    deadlineRequeueMs === undefined ? { condition } : { condition, deadlineRequeueMs };
  if (!ctx.indexed) return result(null);
  if (ctx.failedIndexes) {
    const failedCount = countIndexes(ctx.failedIndexes);
    const max = job.spec.maxFailedIndexes;
    if (max !== undefined && failedCount > max) return result(failure('MaxFailedIndexesExceeded', now));
    if (failedCount > 0 && failedCount + countIndexes(ctx.succeededIndexes) >= (ctx.completions ?? 0)) {
      return result(failure('FailedIndexes', now));
    }
  }
  const sp = matchSuccessPolicy(job.spec.successPolicy, ctx.completions ?? 0, ctx.succeededIndexes);
  if (sp) return result(newJobCondition('SuccessCriteriaMet', 'True', REASON_SUCCESS_POLICY, sp.message, now));
  return result(null);
}

function failure(reason: keyof typeof JOB_REASONS, now: Date): JobCondition {
  return newJobCondition('FailureTarget', 'True', reason, JOB_REASONS[reason], now);
}

/**
 * After manageJob: the Job reached its completions with nothing active. Work-queue mode
 * (completions unset): any success and no active pod.
 */
export function decideCompletion(ctx: Pick<JobContext, 'completions' | 'succeeded' | 'now'>, active: number): JobCondition | null {
  const complete = ctx.completions === null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= ctx.completions && active === 0;
  return complete ? newJobCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', JOB_REASONS.CompletionsReached, ctx.now) : null;
}
