/**
 * The Job sync as a program of effects (Kubernetes `syncJob`): guard → decide → act → record.
 *
 * `jobSyncProgram` is a pure generator: it yields each write it wants (delete pods, create pods,
 * write status, remove finalizers, record an event, remember the backoff) and receives the outcome,
 * so the order of writes — which is what makes pod counting crash-safe — is written down once.
 * `decideJobSync` (decide.ts) runs it with every write succeeding and returns the whole decision;
 * `syncJob` (sync-job.ts) runs it against the API.
 */
import type { Job, JobStatus, Pod } from '@kjobs/api';
import type { BackoffRecord } from './backoff.js';
import { ensureConditionStatus, isJobFinished } from './conditions.js';
import { JOB_CONTROLLER_NAME } from './constants.js';
import { type QueueJobFacts, decideQueue } from './decide-queue.js';
import { decideCompletion, decideFinishedCondition } from './finished-condition.js';
import { type JobContext, type JobSyncInput, buildJobContext } from './job-context.js';
import { planManagePods, slowStartBatches } from './manage-pods.js';
import { isPodReady } from './pod-facts.js';
import { type PlannedEvent, countRemovedFinalizers, enactJobFinished, planStatusTracking } from './track-status.js';

/** One write the sync wants, in order. */
export type JobEffect =
  | { kind: 'event'; event: PlannedEvent }
  /** DELETE these pods; `removeFinalizerFirst` patches the tracking finalizer away before (scale-down, suspend). */
  | { kind: 'deletePods'; pods: Pod[]; removeFinalizerFirst: boolean; expectDeletions: boolean }
  /** Create these pods (one slow-start batch, in parallel). */
  | { kind: 'createPods'; pods: Pod[] }
  /** PUT /status of this Job (resourceVersion as read). */
  | { kind: 'updateStatus'; job: Job }
  /** Patch the tracking finalizer off these pods. */
  | { kind: 'removeFinalizers'; pods: Pod[] }
  | { kind: 'saveBackoff'; record: BackoffRecord }
  | { kind: 'dropBackoff' };

/** Outcome of `deletePods`: per pod, ok (also when already gone) or the error. */
export interface DeleteOutcome {
  results: { pod: Pod; error?: unknown }[];
}
/** Outcome of `createPods`: per requested pod, the created pod or the error. */
export interface CreateOutcome {
  results: { created?: Pod; error?: unknown }[];
}
/** Outcome of `updateStatus`: the Job as stored, or the error. */
export interface StatusOutcome {
  job?: Job;
  error?: unknown;
}
/** Outcome of `removeFinalizers`: uids whose finalizer is gone (or whose pod is gone), first error. */
export interface FinalizerOutcome {
  removed: string[];
  error?: unknown;
}

/** How a sync ended. */
export interface JobSyncResult {
  /** Sync again after this long (deadline, recreation backoff). */
  requeueAfterMs?: number;
  /** Errors from writes; the sync should be retried with the rate limiter. */
  errors: unknown[];
  /** Why the Job was not synced (guard), if it was not. */
  skipped?: 'managedByOther' | 'finished' | 'unknownCompletionMode';
}

/** The generator type of {@link jobSyncProgram}. */
export type JobSyncProgram = Generator<JobEffect, JobSyncResult, unknown>;

function* effect<T>(e: JobEffect): Generator<JobEffect, T, unknown> {
  return (yield e) as T;
}

function* record(type: PlannedEvent['type'], reason: string, message: string): Generator<JobEffect, void, unknown> {
  yield { kind: 'event', event: { type, reason, message } };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Delete pods and record SuccessfulDelete / FailedDelete; returns deleted and deleted-ready counts. */
function* deletePods(pods: Pod[], removeFinalizerFirst: boolean, errors: unknown[]): Generator<JobEffect, { deleted: number; deletedReady: number }, unknown> {
  if (pods.length === 0) return { deleted: 0, deletedReady: 0 };
  const out = yield* effect<DeleteOutcome>({ kind: 'deletePods', pods, removeFinalizerFirst, expectDeletions: removeFinalizerFirst });
  let deleted = 0;
  let deletedReady = 0;
  for (const r of out.results) {
    if (r.error !== undefined) {
      errors.push(r.error);
      yield* record('Warning', 'FailedDelete', `Error deleting: ${errorMessage(r.error)}`);
      continue;
    }
    deleted++;
    if (isPodReady(r.pod)) deletedReady++;
    yield* record('Normal', 'SuccessfulDelete', `Deleted pod: ${r.pod.metadata.name ?? ''}`);
  }
  return { deleted, deletedReady };
}

/** Create pods in slow-start batches (1, 2, 4, …), stopping after a batch with a failure. */
function* createPods(pods: Pod[], errors: unknown[]): Generator<JobEffect, number, unknown> {
  let created = 0;
  let next = 0;
  for (const size of slowStartBatches(pods.length)) {
    const batch = pods.slice(next, next + size);
    next += size;
    const out = yield* effect<CreateOutcome>({ kind: 'createPods', pods: batch });
    let failed = false;
    for (const [i, r] of out.results.entries()) {
      if (r.error !== undefined || !r.created) {
        failed = true;
        errors.push(r.error ?? new Error('pod create returned nothing'));
        yield* record('Warning', 'FailedCreate', `Error creating: ${errorMessage(r.error)}`);
        continue;
      }
      created++;
      yield* record('Normal', 'SuccessfulCreate', `Created pod: ${r.created.metadata.name ?? batch[i]?.metadata.generateName ?? ''}`);
    }
    if (failed) break; // the skipped pods are retried by a later sync
  }
  return created;
}

/** Guard clauses: a Job this controller must not touch this time, and why. */
export function jobSyncGuard(job: Job): JobSyncResult['skipped'] | undefined {
  if (job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) return 'managedByOther';
  if (isJobFinished(job)) return 'finished';
  const mode = job.spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') return 'unknownCompletionMode';
  return undefined;
}

/**
 * One Job sync. Does:
 * 1. guards (managed elsewhere, finished, unknown completion mode);
 * 2. build the context and decide the finished condition;
 * 3. finished: delete the active pods keeping their finalizers (the condition waits a round if a
 *    delete failed or expectations are pending); otherwise manage pods (suspend / scale down /
 *    create with backoff), then decide completion and the Suspended condition;
 * 4. phase 1: write status with new uncounted uids and interim condition, remember the backoff;
 * 5. phase 2: remove finalizers of those pods;
 * 6. phase 3: move removed uids into the counters, enact Complete/Failed when nothing is uncounted
 *    or terminating, write status, record the finished events.
 */
export function* jobSyncProgram(input: JobSyncInput): JobSyncProgram {
  const { job } = input;
  const skipped = jobSyncGuard(job);
  if (skipped === 'finished') yield { kind: 'dropBackoff' };
  if (skipped === 'unknownCompletionMode') yield* record('Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
  if (skipped) return { errors: [], skipped };

  const ctx = buildJobContext(input);
  const errors: unknown[] = [];
  const requeues: number[] = [];
  let { condition: finished, deadlineRequeueMs } = decideFinishedCondition(ctx);
  if (deadlineRequeueMs !== undefined) requeues.push(deadlineRequeueMs);
  const q = input.queue;
  const queuePlan = q ? decideQueue(queueFacts(ctx), q.observation, q.name, q.pollMs) : undefined;
  if (queuePlan?.requeueAfterMs !== undefined) requeues.push(queuePlan.requeueAfterMs);
  let active = ctx.activePods.length;
  let ready = ctx.ready;
  let terminating = ctx.terminating;
  let conditions = job.status?.conditions ?? [];
  let suspendChanged = false;

  if (finished) {
    const { deleted, deletedReady } = yield* deletePods(ctx.activePods, false, errors);
    // Not every pod is gone or the cache may lag our own writes: declare the end next time.
    if (deleted !== active || !ctx.expectationsSatisfied) finished = null;
    active -= deleted;
    terminating += deleted;
    ready -= deletedReady;
  } else {
    const manage = ctx.expectationsSatisfied && !job.metadata.deletionTimestamp;
    if (manage) {
      const plan = planManagePods(ctx, queuePlan?.wantActive);
      if (plan.kind === 'delete') {
        const { deleted, deletedReady } = yield* deletePods(plan.pods, true, errors);
        active -= deleted;
        terminating += deleted;
        ready -= deletedReady;
      } else if (plan.kind === 'wait') {
        requeues.push(plan.requeueAfterMs);
      } else if (plan.kind === 'create') {
        active += yield* createPods(plan.pods, errors);
      }
    }
    finished = queuePlan?.mayComplete === false ? null : decideCompletion(ctx, active);
    if (!finished && manage) {
      const s = suspendCondition(ctx, conditions);
      conditions = s.conditions;
      suspendChanged = s.changed;
      if (s.event) yield* record('Normal', s.event, s.event === 'Suspended' ? 'Job suspended' : 'Job resumed');
    }
  }

  const old = job.status ?? {};
  const status: JobStatus = { ...old, conditions, active, ready, terminating };
  if (ctx.startTime !== undefined) status.startTime = ctx.startTime;
  if (status.conditions?.length === 0) delete status.conditions;
  const needsFlush = suspendChanged || active !== (old.active ?? 0) || ready !== old.ready || terminating !== old.terminating || ctx.startTime !== old.startTime;
  const result = (): JobSyncResult => (requeues.length > 0 ? { errors, requeueAfterMs: Math.min(...requeues) } : { errors });
  return yield* trackAndFlush(ctx, status, finished, needsFlush, terminating, errors, result);
}

function queueFacts(ctx: JobContext): QueueJobFacts {
  const created = ctx.pods.map((p) => Date.parse(p.metadata.creationTimestamp ?? '')).filter((t) => !Number.isNaN(t));
  const newestPodCreatedMs = created.length > 0 ? Math.max(...created) : undefined;
  return { parallelism: ctx.parallelism, succeeded: ctx.succeeded, active: ctx.activePods.length, suspended: ctx.suspended, nowMs: ctx.nowMs, newestPodCreatedMs };
}

function suspendCondition(ctx: JobContext, conditions: JobStatus['conditions']): { conditions: NonNullable<JobStatus['conditions']>; changed: boolean; event?: 'Suspended' | 'Resumed' } {
  const r = ctx.suspended
    ? ensureConditionStatus(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', ctx.now)
    : ensureConditionStatus(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', ctx.now);
  if (!r.changed) return r;
  return { ...r, event: ctx.suspended ? 'Suspended' : 'Resumed' };
}

/** Steps 4–6 of {@link jobSyncProgram}: the three-phase status write. */
function* trackAndFlush(
  ctx: JobContext,
  status: JobStatus,
  finished: ReturnType<typeof decideFinishedCondition>['condition'],
  needsFlush: boolean,
  terminating: number,
  errors: unknown[],
  result: () => JobSyncResult,
): JobSyncProgram {
  const plan = planStatusTracking(ctx, status, finished, needsFlush);
  let current: Job = ctx.job;
  let st = plan.status;
  if (plan.needsFlush) {
    const out = yield* effect<StatusOutcome>({ kind: 'updateStatus', job: { ...current, status: st } });
    if (out.error !== undefined || !out.job) {
      errors.push(out.error ?? new Error('status update returned nothing'));
      return result();
    }
    current = out.job;
    st = out.job.status ?? st;
    yield { kind: 'saveBackoff', record: ctx.backoff };
  }
  const withFinalizer = new Set(plan.uidsWithFinalizer);
  let rmError: unknown;
  if (plan.podsToRemoveFinalizer.length > 0) {
    const out = yield* effect<FinalizerOutcome>({ kind: 'removeFinalizers', pods: plan.podsToRemoveFinalizer });
    for (const uid of out.removed) withFinalizer.delete(uid);
    rmError = out.error;
  }
  const counted = countRemovedFinalizers(st, withFinalizer);
  st = counted.status;
  let needsSecondFlush = counted.changed;
  if (rmError !== undefined) {
    errors.push(rmError);
    if (needsSecondFlush) {
      const out = yield* effect<StatusOutcome>({ kind: 'updateStatus', job: { ...current, status: st } });
      if (out.error !== undefined) errors.push(out.error);
    }
    return result();
  }
  const done = plan.reachedMaxUncounted ? null : enactJobFinished(st, plan.terminalCondition, terminating, ctx.completions, ctx.now);
  if (done) {
    st = done.status;
    needsSecondFlush = true;
  }
  if (needsSecondFlush) {
    const out = yield* effect<StatusOutcome>({ kind: 'updateStatus', job: { ...current, status: st } });
    if (out.error !== undefined) {
      errors.push(out.error);
      return result();
    }
    for (const e of done?.events ?? []) yield* record(e.type, e.reason, e.message);
  }
  return result();
}
