/**
 * Counting every finished pod exactly once (Kubernetes `trackJobStatusAndRemoveFinalizers`).
 *
 * Each pod carries the `batch.kubernetes.io/job-tracking` finalizer until it is counted. Counting is
 * two-phase so that a controller dying between any two writes neither loses nor doubles a pod:
 *   1. write the pod's uid into `status.uncountedTerminatedPods` (Indexed successes: the index into
 *      `completedIndexes`) together with any interim condition;
 *   2. remove the pod's finalizer;
 *   3. move the uids whose finalizer is gone out of the uncounted lists into `succeeded`/`failed`
 *      and write status again.
 * A crash after 1 finds the uid already listed and does not add it again; a crash after 2 finds a
 * listed uid with no finalizer (or no pod) and moves it into the counter (`countRemovedFinalizers`).
 */
import type { JobCondition, JobStatus, Pod } from '@kjobs/api';
import { ensureConditionStatus, findCondition, newJobCondition } from './conditions.js';
import { MAX_UNCOUNTED_PODS } from './constants.js';
import { UNKNOWN_COMPLETION_INDEX, countIndexes, formatIndexes, hasIndex, podCompletionIndex, withIndexes } from './indexes.js';
import type { JobContext } from './job-context.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { hasTrackingFinalizer, isPodFailed } from './pod-facts.js';

/** The pods a sync counts as active, ready and terminating after it acted. */
export interface PodCounts {
  active: number;
  ready: number;
  terminating: number;
}

/**
 * The status after a sync's pod writes, before counting: the counters, startTime and conditions,
 * and whether that alone differs from the stored status (then it must be written).
 */
export function statusAfterManage(ctx: Pick<JobContext, 'job' | 'startTime'>, conditions: JobCondition[], counts: PodCounts, suspendChanged: boolean): { status: JobStatus; needsFlush: boolean } {
  const old = ctx.job.status ?? {};
  const status: JobStatus = { ...old, conditions, ...counts };
  if (ctx.startTime !== undefined) status.startTime = ctx.startTime;
  if (status.conditions?.length === 0) delete status.conditions;
  const needsFlush = suspendChanged || counts.active !== (old.active ?? 0) || counts.ready !== old.ready || counts.terminating !== old.terminating || ctx.startTime !== old.startTime;
  return { status, needsFlush };
}

/** Phase-1 plan: the status to write first and the finalizers to remove after it is written. */
export interface TrackingPlan {
  /** Status with new uncounted uids, completed/failed indexes and any interim condition. */
  status: JobStatus;
  /** True when `status` differs from what is stored and must be written before removing finalizers. */
  needsFlush: boolean;
  /** Pods whose tracking finalizer is removed once `status` is written. */
  podsToRemoveFinalizer: Pod[];
  /** Uids of pods that still hold the finalizer (and are not expected to lose it). */
  uidsWithFinalizer: Set<string>;
  /** The 500-uid cap was hit; the Job cannot be declared finished this sync. */
  reachedMaxUncounted: boolean;
  /** The terminal condition (Failed / Complete) to enact once nothing is left uncounted. */
  terminalCondition: JobCondition | null;
}

/** `uncountedTerminatedPods` as Kubernetes serialises it: present, empty lists omitted (`{}`). */
export function uncountedLists(succeeded: string[], failed: string[]): NonNullable<JobStatus['uncountedTerminatedPods']> {
  const u: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
  if (succeeded.length > 0) u.succeeded = succeeded;
  if (failed.length > 0) u.failed = failed;
  return u;
}

/**
 * Move uids whose pod no longer holds the finalizer out of `uncountedTerminatedPods` and into the
 * counters (`cleanUncountedPodsWithoutFinalizers`). Returns the new status and whether it changed.
 */
export function countRemovedFinalizers(status: JobStatus, uidsWithFinalizer: ReadonlySet<string>): { status: JobStatus; changed: boolean } {
  const succ = status.uncountedTerminatedPods?.succeeded ?? [];
  const fail = status.uncountedTerminatedPods?.failed ?? [];
  const keepSucc = succ.filter((u) => uidsWithFinalizer.has(u));
  const keepFail = fail.filter((u) => uidsWithFinalizer.has(u));
  if (keepSucc.length === succ.length && keepFail.length === fail.length) return { status, changed: false };
  return {
    status: {
      ...status,
      succeeded: (status.succeeded ?? 0) + succ.length - keepSucc.length,
      failed: (status.failed ?? 0) + fail.length - keepFail.length,
      uncountedTerminatedPods: uncountedLists(keepSucc, keepFail),
    },
    changed: true,
  };
}

/**
 * May the pod's finalizer go now? Yes when the Job is being deleted or has a finished condition, the
 * pod succeeded, or the pod counts as failed — except the failed pod whose removal waits for its
 * replacement under backoffLimitPerIndex.
 */
export function canRemoveFinalizer(ctx: JobContext, pod: Pod, considerFailed: boolean, finished: JobCondition | null): boolean {
  if (ctx.job.metadata.deletionTimestamp || finished || pod.status?.phase === 'Succeeded') return true;
  if (!considerFailed) return false;
  if (ctx.failedIndexes !== null) {
    const ix = podCompletionIndex(pod);
    const delayed = ix === UNKNOWN_COMPLETION_INDEX ? undefined : ctx.podsWithDelayedDeletionPerIndex.get(ix);
    if (delayed && delayed.metadata.uid === pod.metadata.uid) return false;
  }
  return true;
}

function byCompletionIndex(a: Pod, b: Pod): number {
  return podCompletionIndex(a) - podCompletionIndex(b);
}

/**
 * Phase 1 (`trackJobStatusAndRemoveFinalizers` up to the first write), given the status after this
 * sync's counts and conditions and the finished condition (if any):
 * 1. count uids already listed whose finalizer is gone (recovery from a crash after phase 2);
 * 2. for each tracked pod whose finalizer may go (Indexed: in index order): a success goes to
 *    `uncounted.succeeded` (Indexed: its index to completedIndexes), a failure — or any unfinished
 *    pod of a failing Job — to `uncounted.failed` unless an Ignore rule matches; stop at 500;
 * 3. Indexed: write completedIndexes/succeeded and failedIndexes;
 * 4. append the interim FailureTarget / SuccessCriteriaMet condition and name the terminal one.
 */
export function planStatusTracking(ctx: JobContext, status: JobStatus, finished: JobCondition | null, needsFlushIn: boolean): TrackingPlan {
  const pods = ctx.indexed ? [...ctx.pods].sort(byCompletionIndex) : [...ctx.pods];
  const uidsWithFinalizer = new Set<string>();
  for (const p of pods) {
    const uid = p.metadata.uid ?? '';
    if (hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(uid)) uidsWithFinalizer.add(uid);
  }
  const cleaned = countRemovedFinalizers(status, uidsWithFinalizer);
  const counted = countFinishedPods(ctx, pods, cleaned.status, finished);
  const indexed = withIndexedCounts(ctx, { ...cleaned.status, uncountedTerminatedPods: uncountedLists(counted.uncSucceeded, counted.uncFailed) }, counted.newSucceededIndexes);
  const interim = withInterimCondition(ctx, indexed.status, finished);
  return {
    status: interim.status,
    needsFlush: needsFlushIn || cleaned.changed || counted.changed || indexed.changed || interim.changed,
    podsToRemoveFinalizer: counted.podsToRemoveFinalizer, uidsWithFinalizer, reachedMaxUncounted: counted.reachedMaxUncounted,
    terminalCondition: interim.terminalCondition,
  };
}

/**
 * Step 2: each tracked pod whose finalizer may go (in `pods`' order) — a success to the uncounted
 * succeeded uids (Indexed: its index to `newSucceededIndexes`), a failure, or any unfinished pod
 * of a failing Job, to the uncounted failed uids unless an Ignore rule matches; stop at 500.
 */
function countFinishedPods(ctx: JobContext, pods: Pod[], st: JobStatus, finished: JobCondition | null) {
  const { job } = ctx;
  const uncSucceeded = [...(st.uncountedTerminatedPods?.succeeded ?? [])];
  const uncFailed = [...(st.uncountedTerminatedPods?.failed ?? [])];
  const newSucceededIndexes: number[] = [];
  const podsToRemoveFinalizer: Pod[] = [];
  const completions = ctx.completions ?? 0;
  let changed = false;
  let reachedMaxUncounted = false;
  const failing = finished !== null && !(finished.type === 'SuccessCriteriaMet' && finished.status === 'True');
  for (const pod of pods) {
    const uid = pod.metadata.uid ?? '';
    if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue; // counted in an earlier sync
    const considerFailed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, considerFailed, finished)) continue;
    podsToRemoveFinalizer.push(pod);
    const ix = podCompletionIndex(pod);
    if (pod.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
      if (ctx.indexed) {
        if (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions && !hasIndex(ctx.prevSucceededIndexes, ix)) {
          newSucceededIndexes.push(ix);
          changed = true;
        }
      } else if (!ctx.uncountedSucceeded.has(uid)) {
        uncSucceeded.push(uid);
        changed = true;
      }
    } else if (considerFailed || failing) {
      const validIndex = !ctx.indexed || (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions);
      if (!ctx.uncountedFailed.has(uid) && validIndex && matchPodFailurePolicy(job.spec.podFailurePolicy, pod).countFailed) {
        uncFailed.push(uid);
        changed = true;
      }
    }
    if (newSucceededIndexes.length + uncSucceeded.length + uncFailed.length >= MAX_UNCOUNTED_PODS) {
      reachedMaxUncounted = true;
      break;
    }
  }
  return { uncSucceeded, uncFailed, newSucceededIndexes, podsToRemoveFinalizer, reachedMaxUncounted, changed };
}

/** Step 3, Indexed Jobs: completedIndexes and succeeded from the indexes, and failedIndexes. */
function withIndexedCounts(ctx: JobContext, st: JobStatus, newSucceededIndexes: number[]): { status: JobStatus; changed: boolean } {
  if (!ctx.indexed) return { status: st, changed: false };
  const { job } = ctx;
  let changed = false;
  const succeededIndexes = withIndexes(ctx.succeededIndexes, newSucceededIndexes);
  const completed = formatIndexes(succeededIndexes);
  if (completed !== (job.status?.completedIndexes ?? '')) changed = true;
  let out: JobStatus = { ...st, succeeded: countIndexes(succeededIndexes), completedIndexes: completed };
  const failedStr = ctx.failedIndexes ? formatIndexes(ctx.failedIndexes) : undefined;
  if (failedStr !== job.status?.failedIndexes) {
    out = { ...out, failedIndexes: failedStr };
    if (failedStr === undefined) delete out.failedIndexes;
    changed = true;
  }
  return { status: out, changed };
}

/** Step 4: append the interim FailureTarget / SuccessCriteriaMet condition and name the terminal one. */
function withInterimCondition(ctx: JobContext, st: JobStatus, finished: JobCondition | null): { status: JobStatus; changed: boolean; terminalCondition: JobCondition | null } {
  if (finished?.type === 'FailureTarget') {
    return {
      status: { ...st, conditions: [...(st.conditions ?? []), finished] }, changed: true,
      terminalCondition: newJobCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', ctx.now),
    };
  }
  if (finished?.type === 'SuccessCriteriaMet' && finished.status === 'True') {
    const appended = findCondition(ctx.job.status?.conditions, 'SuccessCriteriaMet')?.status !== 'True';
    return {
      status: appended ? { ...st, conditions: [...(st.conditions ?? []), finished] } : st, changed: appended,
      terminalCondition: newJobCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', ctx.now),
    };
  }
  return { status: st, changed: false, terminalCondition: finished };
}

/** An event the controller records on the Job. */
export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * `enactJobFinished` + `recordJobFinished`: once no uid is left uncounted and no pod is terminating,
 * set the terminal condition (Complete also sets completionTime to its lastTransitionTime) and name
 * the events: Complete → [TooManySucceededPods,] Completed "Job completed"; Failed → Warning with
 * the failure reason and message. Returns null while the Job must keep waiting.
 */
export function enactJobFinished(
  status: JobStatus,
  terminal: JobCondition | null,
  terminating: number,
  completions: number | null,
  now: Date,
): { status: JobStatus; events: PlannedEvent[] } | null {
  if (!terminal) return null;
  const unc = status.uncountedTerminatedPods;
  if ((unc?.succeeded?.length ?? 0) + (unc?.failed?.length ?? 0) > 0) return null;
  if (terminating > 0) return null;
  const { conditions } = ensureConditionStatus(status.conditions, terminal.type, terminal.status, terminal.reason ?? '', terminal.message ?? '', now);
  const st: JobStatus = { ...status, conditions };
  const events: PlannedEvent[] = [];
  if (terminal.type === 'Complete') {
    st.completionTime = findCondition(conditions, 'Complete')?.lastTransitionTime ?? undefined;
    if (completions !== null && (st.succeeded ?? 0) > completions) {
      events.push({ type: 'Warning', reason: 'TooManySucceededPods', message: 'Too many succeeded pods running after completion count reached' });
    }
    events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  } else {
    events.push({ type: 'Warning', reason: terminal.reason ?? '', message: terminal.message ?? '' });
  }
  return { status: st, events };
}
