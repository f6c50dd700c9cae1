/**
 * The facts one Job sync works from (Kubernetes `syncJobCtx`): which pods are active, ready,
 * terminating, newly finished and not yet counted, the resulting counters, the succeeded and failed
 * indexes, and the pod-recreation backoff. Built once per sync by a pure function.
 */
import type { Job, Pod } from '@kjobs/api';
import { type BackoffRecord, nextBackoffRecord } from './backoff.js';
import { findCondition, rfc3339 } from './conditions.js';
import type { QueueObservation } from './decide-queue.js';
import { DEFAULT_BACKOFF_LIMIT } from './constants.js';
import { indexAbsoluteFailureCount, isIndexFailed } from './index-failures.js';
import { type Interval, UNKNOWN_COMPLETION_INDEX, countIndexes, hasIndex, indexesOfPods, parseIndexes, podCompletionIndex, withIndexes } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { hasTrackingFinalizer, isPodActive, isPodFailed, isPodReady, isPodTerminating, podFinishedTimeMs } from './pod-facts.js';

/** Everything a Job sync reads: the Job, its pods (already claimed), the clock and in-memory state. */
export interface JobSyncInput {
  job: Job;
  /** Pods owned by the Job (after adoption/release), straight from the informer cache. */
  pods: readonly Pod[];
  now: Date;
  /** The in-memory pod-recreation backoff record of this Job, if any. */
  backoff?: BackoffRecord;
  /** False while creations/deletions this controller made are not yet visible in the cache. Default true. */
  expectationsSatisfied?: boolean;
  /** Uids of pods whose finalizer removal was sent but not yet observed: never counted again. */
  expectedFinalizerRemovals?: ReadonlySet<string>;
  /** The MemQ queue the Job names (kjobs.io/memq-queue) and what MemQ said of it; see decide-queue.ts. */
  queue?: { name: string; observation: QueueObservation; pollMs: number };
}

/** The facts of one sync. Arrays are fresh; objects inside are the caller's (never mutated). */
export interface JobContext {
  job: Job;
  pods: readonly Pod[];
  now: Date;
  nowMs: number;
  indexed: boolean;
  /** spec.completions, or null in work-queue mode. */
  completions: number | null;
  parallelism: number;
  backoffLimit: number;
  suspended: boolean;
  /** True when this sync resumes a suspended Job (Suspended=True while spec.suspend is false). */
  resuming: boolean;
  expectationsSatisfied: boolean;
  expectedRmFinalizers: ReadonlySet<string>;
  activePods: Pod[];
  ready: number;
  terminating: number;
  uncountedSucceeded: ReadonlySet<string>;
  uncountedFailed: ReadonlySet<string>;
  newSucceededPods: Pod[];
  newFailedPods: Pod[];
  /** status.succeeded + new + uncounted (Indexed: the number of succeeded indexes). */
  succeeded: number;
  /** status.failed + new counted failures + uncounted. */
  failed: number;
  /** status.startTime after this sync (set to now on first unsuspended sync and on resume). */
  startTime: string | undefined;
  backoff: BackoffRecord;
  /** Indexed: the completedIndexes of the status as read. */
  prevSucceededIndexes: Interval[];
  /** Indexed: previous plus newly succeeded indexes. */
  succeededIndexes: Interval[];
  /** backoffLimitPerIndex: previous plus newly failed indexes; null otherwise. */
  failedIndexes: Interval[] | null;
  /** backoffLimitPerIndex: per index, the failed pod whose removal waits for its replacement. */
  podsWithDelayedDeletionPerIndex: Map<number, Pod>;
}

/** True when the pod may be counted as a new finished pod: tracked, not uncounted, valid index. */
function isCountablePod(ctx: Pick<JobContext, 'indexed' | 'completions' | 'expectedRmFinalizers'>, pod: Pod, uncounted: ReadonlySet<string>): boolean {
  const uid = pod.metadata.uid ?? '';
  if (!hasTrackingFinalizer(pod) || uncounted.has(uid) || ctx.expectedRmFinalizers.has(uid)) return false;
  if (ctx.indexed) {
    const ix = podCompletionIndex(pod);
    if (ix === UNKNOWN_COMPLETION_INDEX || ix >= (ctx.completions ?? 0)) return false;
  }
  return true;
}

/**
 * Build the context of one sync:
 * 1. classify pods (active, ready, terminating) and find newly finished, not yet counted pods;
 * 2. succeeded/failed = status counters + new + uncounted (Ignore-matched failures excluded);
 * 3. startTime: now when unset and not suspended, and on resume;
 * 4. the next backoff record from the new finished pods;
 * 5. Indexed: succeeded indexes (then `succeeded` = their number), failed indexes, delayed pods.
 */
export function buildJobContext(input: JobSyncInput): JobContext {
  const { job, pods, now } = input;
  const status = job.status ?? {};
  const indexed = job.spec.completionMode === 'Indexed';
  const completions = job.spec.completions ?? null;
  const suspended = job.spec.suspend === true;
  const resuming = !suspended && findCondition(status.conditions, 'Suspended')?.status === 'True';
  const perIndex = indexed && job.spec.backoffLimitPerIndex !== undefined;
  const backoffLimit = job.spec.backoffLimit ?? (job.spec.backoffLimitPerIndex !== undefined ? 2147483647 : DEFAULT_BACKOFF_LIMIT);
  const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
  const expectedRmFinalizers = input.expectedFinalizerRemovals ?? new Set<string>();
  const base = { indexed, completions, expectedRmFinalizers };

  const activePods = pods.filter(isPodActive);
  const newSucceededPods = pods.filter((p) => isCountablePod(base, p, uncountedSucceeded) && p.status?.phase === 'Succeeded');
  const newFailedPods = pods.filter((p) => isCountablePod(base, p, uncountedFailed) && isPodFailed(p, job));
  const countedNewFailures = newFailedPods.filter((p) => matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed).length;

  let startTime = status.startTime;
  if ((startTime === undefined && !suspended) || resuming) startTime = rfc3339(now);

  const ctx: JobContext = {
    job,
    pods,
    now,
    nowMs: now.getTime(),
    indexed,
    completions,
    parallelism: job.spec.parallelism ?? 1,
    backoffLimit,
    suspended,
    resuming,
    expectationsSatisfied: input.expectationsSatisfied ?? true,
    expectedRmFinalizers,
    activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isPodTerminating).length,
    uncountedSucceeded,
    uncountedFailed,
    newSucceededPods,
    newFailedPods,
    succeeded: (status.succeeded ?? 0) + newSucceededPods.length + uncountedSucceeded.size,
    failed: (status.failed ?? 0) + countedNewFailures + uncountedFailed.size,
    startTime,
    backoff: nextBackoffRecord(input.backoff, newSucceededPods, newFailedPods),
    prevSucceededIndexes: [],
    succeededIndexes: [],
    failedIndexes: null,
    podsWithDelayedDeletionPerIndex: new Map(),
  };
  if (indexed) addIndexFacts(ctx, perIndex);
  return ctx;
}

function addIndexFacts(ctx: JobContext, perIndex: boolean): void {
  const { job, pods } = ctx;
  const completions = ctx.completions ?? 0;
  const validTracked = (p: Pod) => {
    const ix = podCompletionIndex(p);
    return ix !== UNKNOWN_COMPLETION_INDEX && ix < completions && hasTrackingFinalizer(p);
  };
  ctx.prevSucceededIndexes = parseIndexes(job.status?.completedIndexes, completions);
  const newlySucceeded = pods.filter((p) => p.status?.phase === 'Succeeded' && validTracked(p)).map(podCompletionIndex);
  ctx.succeededIndexes = withIndexes(ctx.prevSucceededIndexes, newlySucceeded);
  ctx.succeeded = countIndexes(ctx.succeededIndexes);
  if (!perIndex) return;
  const prevFailed = job.status?.failedIndexes !== undefined ? parseIndexes(job.status.failedIndexes, completions) : [];
  const newlyFailed = pods.filter((p) => validTracked(p) && isIndexFailed(job, p)).map(podCompletionIndex);
  ctx.failedIndexes = withIndexes(prevFailed, newlyFailed);
  ctx.podsWithDelayedDeletionPerIndex = podsWithDelayedDeletion(ctx);
}

/**
 * backoffLimitPerIndex: for each index that is neither succeeded, failed nor active, the latest
 * failed pod of the index keeps its finalizer until its replacement exists, so the replacement can
 * inherit its failure count.
 */
function podsWithDelayedDeletion(ctx: JobContext): Map<number, Pod> {
  const activeIndexes = indexesOfPods(ctx.activePods);
  const out = new Map<number, Pod>();
  for (const p of ctx.pods) {
    if (!isCountablePod(ctx, p, new Set()) || !isPodFailed(p, ctx.job)) continue;
    const ix = podCompletionIndex(p);
    if (hasIndex(ctx.succeededIndexes, ix) || hasIndex(ctx.failedIndexes ?? [], ix) || activeIndexes.has(ix)) continue;
    const last = out.get(ix);
    if (!last || (indexAbsoluteFailureCount(last) <= indexAbsoluteFailureCount(p) && podFinishedTimeMs(p) >= podFinishedTimeMs(last))) {
      out.set(ix, p);
    }
  }
  return out;
}
