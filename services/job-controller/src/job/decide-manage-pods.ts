/**
 * How many pods to create or delete (Kubernetes `manageJob`), as a plan. Deletion and creation never
 * happen in the same sync; deletion wins.
 */
import type { Job, JobStatus, Pod } from '@kjobs/api';
import { ensureConditionStatus } from './conditions.js';
import { remainingIndexBackoffMs, remainingJobBackoffMs } from './backoff.js';
import { MAX_POD_CREATE_DELETE_PER_SYNC, SLOW_START_INITIAL_BATCH_SIZE, SYNC_JOB_BATCH_PERIOD_MS } from './constants.js';
import { nextIndexFailureCounts } from './index-failures.js';
import { UNKNOWN_COMPLETION_INDEX, firstPendingIndexes, indexesOfPods, mergeIntervals, podCompletionIndex, withIndexes } from './indexes.js';
import type { JobContext } from './job-context.js';
import { compareActivePods, isPodTerminating, onlyReplaceFailedPods } from './pod-facts.js';
import { buildPodForJob } from './pod-template.js';

/** What manageJob does this sync. */
export type ManagePlan =
  | { kind: 'none' }
  /** Delete these active pods, removing the tracking finalizer first (so they are not counted as failed). */
  | { kind: 'delete'; reason: 'suspend' | 'excess'; pods: Pod[] }
  /** The pod-recreation backoff has not elapsed: create nothing, sync again after this long. */
  | { kind: 'wait'; requeueAfterMs: number }
  /** Create these pods (in slow-start batches). */
  | { kind: 'create'; pods: Pod[] };

/**
 * How many pods the Job wants active: work-queue mode runs `parallelism` until the first success
 * and then keeps what runs; otherwise `clamp(completions - succeeded, 0, parallelism)`.
 */
export function wantActivePods(ctx: Pick<JobContext, 'completions' | 'succeeded' | 'parallelism' | 'activePods'>): number {
  if (ctx.completions === null) return ctx.succeeded > 0 ? ctx.activePods.length : ctx.parallelism;
  return Math.max(0, Math.min(ctx.completions - ctx.succeeded, ctx.parallelism));
}

/**
 * The active pods to delete (`activePodsForRemoval`): for Indexed Jobs first every pod without a
 * valid index, with an index ≥ completions, or duplicating an index (the most advanced copy stays);
 * then, to reach `rmAtLeast`, the least advanced of the rest in {@link compareActivePods} order.
 */
export function activePodsForRemoval(job: Job, activePods: readonly Pod[], rmAtLeast: number): Pod[] {
  const rm: Pod[] = [];
  let left: Pod[];
  if (job.spec.completionMode === 'Indexed') {
    left = [];
    const completions = job.spec.completions ?? 0;
    const byIndex = new Map<number, Pod[]>();
    for (const p of activePods) {
      const ix = podCompletionIndex(p);
      if (ix === UNKNOWN_COMPLETION_INDEX || ix >= completions) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
      const same = [...byIndex.get(ix)!].sort(compareActivePods);
      rm.push(...same.slice(0, -1));
      left.push(same[same.length - 1]!);
    }
  } else {
    left = [...activePods];
  }
  if (rm.length < rmAtLeast) {
    left.sort(compareActivePods);
    rm.push(...left.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

/** Slow-start batch sizes for `n` creations: 1, 2, 4, … (the last one cut to what remains). */
export function slowStartBatches(n: number): number[] {
  const out: number[] = [];
  let size = Math.min(n, SLOW_START_INITIAL_BATCH_SIZE);
  let left = n;
  while (left > 0) {
    out.push(size);
    left -= size;
    size = Math.min(2 * size, left);
  }
  return out;
}

/**
 * Plan manageJob:
 * 1. suspended: delete every active pod;
 * 2. more active than wanted (or Indexed duplicates/invalid): delete the surplus, at most 500;
 * 3. fewer: unless the recreation backoff still runs, create up to 500 — Indexed Jobs the lowest
 *    pending indexes (with backoffLimitPerIndex only indexes whose own backoff elapsed).
 * Terminating pods block replacement only with podReplacementPolicy Failed. `queueWantActive`
 * replaces the wanted number for a Job that waits for its queue (decide-queue.ts).
 */
export function planManagePods(ctx: JobContext, queueWantActive?: number): ManagePlan {
  const { job } = ctx;
  const active = ctx.activePods.length;
  if (ctx.suspended) {
    const pods = activePodsForRemoval(job, ctx.activePods, active);
    return pods.length > 0 ? { kind: 'delete', reason: 'suspend', pods } : { kind: 'none' };
  }
  const wantActive = queueWantActive ?? wantActivePods(ctx);
  const toDelete = activePodsForRemoval(job, ctx.activePods, Math.max(active - wantActive, 0)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (toDelete.length > 0) return { kind: 'delete', reason: 'excess', pods: toDelete };

  const onlyFailed = onlyReplaceFailedPods(job);
  let diff = wantActive - (onlyFailed ? ctx.terminating : 0) - active;
  if (diff <= 0) return { kind: 'none' };
  const perIndex = ctx.indexed && job.spec.backoffLimitPerIndex !== undefined;
  if (!perIndex) {
    const remaining = remainingJobBackoffMs(ctx.backoff, ctx.nowMs);
    if (remaining > 0) return { kind: 'wait', requeueAfterMs: Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS) };
  }
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (!ctx.indexed) return { kind: 'create', pods: Array.from({ length: diff }, () => buildPodForJob(job)) };

  let taken = withIndexes(ctx.succeededIndexes, indexesOfPods(ctx.activePods));
  if (onlyFailed) taken = withIndexes(taken, indexesOfPods(ctx.pods.filter(isPodTerminating)));
  if (ctx.failedIndexes) taken = mergeIntervals(taken, ctx.failedIndexes);
  let indexes = firstPendingIndexes(diff, ctx.completions ?? 0, taken);
  if (perIndex) {
    const ready: number[] = [];
    let minRemaining: number | undefined;
    for (const ix of indexes) {
      const remaining = remainingIndexBackoffMs(ctx.podsWithDelayedDeletionPerIndex.get(ix), ctx.nowMs);
      if (remaining === 0) ready.push(ix);
      else if (minRemaining === undefined || remaining < minRemaining) minRemaining = remaining;
    }
    if (ready.length === 0 && minRemaining !== undefined) {
      return { kind: 'wait', requeueAfterMs: Math.max(minRemaining, SYNC_JOB_BATCH_PERIOD_MS) };
    }
    indexes = ready;
  }
  if (indexes.length === 0) return { kind: 'none' };
  return {
    kind: 'create',
    pods: indexes.map((index) =>
      buildPodForJob(job, perIndex ? { index, indexFailureCounts: nextIndexFailureCounts(job, ctx.podsWithDelayedDeletionPerIndex.get(index)) } : { index }),
    ),
  };
}

/**
 * The Suspended condition after a sync that managed pods: True/JobSuspended while spec.suspend,
 * False/JobResumed once resumed (only when it changes), and the event to record for the change.
 */
export function decideSuspendCondition(ctx: Pick<JobContext, 'suspended' | 'now'>, conditions: JobStatus['conditions']): { conditions: NonNullable<JobStatus['conditions']>; changed: boolean; event?: 'Suspended' | 'Resumed' } {
  const r = ctx.suspended
    ? ensureConditionStatus(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', ctx.now)
    : ensureConditionStatus(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', ctx.now);
  if (!r.changed) return r;
  return { ...r, event: ctx.suspended ? 'Suspended' : 'Resumed' };
}
