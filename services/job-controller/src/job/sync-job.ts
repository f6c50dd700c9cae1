/**
 * `syncJob`: run the Job sync program (decide.ts) against the API through {@link JobControl}. Level
 * triggered and idempotent: it reads nothing but its arguments, and every write it makes is safe to
 * repeat after a crash at any point (see track-status.ts for why counting stays exact).
 */
import { type Job, type Pod, isApiError } from '@kjobs/api';
import { JOB_TRACKING_FINALIZER } from './constants.js';
import {
  type CreateOutcome,
  type DeleteOutcome,
  type FinalizerOutcome,
  type JobEffect,
  type StatusOutcome,
  jobSyncProgram,
} from './job-sync-program.js';
import type { JobSyncInput } from './job-context.js';
import type { BackoffStore, FinalizerExpectations, JobControl, PodExpectations } from './ports.js';

/** Optional in-memory state shared across syncs of all Jobs. */
export interface SyncJobOptions {
  /** Pod create/delete expectations; none = always satisfied. */
  expectations?: PodExpectations;
  /** Finalizer-removal expectations; none = nothing expected. */
  finalizerExpectations?: FinalizerExpectations;
  /** Pod-recreation backoff records; none = a private map (backoff then lasts one call). */
  backoff?: BackoffStore;
  /**
   * The expectations as the caller read them BEFORE it read `pods` (Kubernetes' order). A removal
   * or creation observed between the two reads then only makes the sync wait (the uid still
   * expected, the creation still pending), where the other order would pair a pod snapshot that
   * still shows a finalizer with expectations that no longer name it and count that pod twice.
   * Absent: read from `expectations` / `finalizerExpectations` when the sync starts.
   */
  readBeforePods?: { expectationsSatisfied: boolean; expectedFinalizerRemovals: ReadonlySet<string> };
  /** The MemQ queue the Job names and what MemQ said of it (memq/job-queues.ts); none: Kubernetes' rules. */
  queue?: JobSyncInput['queue'];
}

/** What the work queue should do next with this Job's key. */
export interface SyncJobResult {
  requeueAfterMs?: number;
}

/** The work-queue key of a Job: `namespace/name`. */
export function jobKey(job: Job): string {
  return `${job.metadata.namespace ?? ''}/${job.metadata.name ?? ''}`;
}

/** The merge patch that drops the tracking finalizer from a pod, keeping any other finalizer. */
export function removeTrackingFinalizerPatch(pod: Pod): { metadata: { finalizers: string[] } } | null {
  const finalizers = pod.metadata.finalizers ?? [];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) return null;
  return { metadata: { finalizers: finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER) } };
}

/**
 * Sync one Job: `pods` are the Job's pods from the informer cache, `now` the clock. Performs the
 * writes the program asks for, in its order; throws the first write error after finishing what it
 * could (the caller requeues with the rate limiter). Returns when to sync again, if at a set time.
 */
export async function syncJob(job: Job, pods: readonly Pod[], now: Date, control: JobControl, opts: SyncJobOptions = {}): Promise<SyncJobResult> {
  const key = jobKey(job);
  const ns = job.metadata.namespace ?? '';
  const backoff = opts.backoff ?? new Map();
  const program = jobSyncProgram({
    job,
    pods,
    now,
    backoff: backoff.get(key),
    expectationsSatisfied: opts.readBeforePods?.expectationsSatisfied ?? opts.expectations?.satisfied(key) ?? true,
    expectedFinalizerRemovals: opts.readBeforePods?.expectedFinalizerRemovals ?? opts.finalizerExpectations?.expectedUids(key) ?? new Set(),
    ...(opts.queue ? { queue: opts.queue } : {}),
  });
  let step = program.next();
  while (!step.done) {
    const outcome = await perform(step.value, job, ns, key, control, opts, backoff);
    step = program.next(outcome);
  }
  const result = step.value;
  if (result.errors.length > 0) throw result.errors[0] ?? new Error(`sync of job ${key} failed`);
  return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : {};
}

async function perform(e: JobEffect, job: Job, ns: string, key: string, control: JobControl, opts: SyncJobOptions, backoff: BackoffStore): Promise<unknown> {
  switch (e.kind) {
    case 'event':
      control.recordEvent(job, e.event.type, e.event.reason, e.event.message);
      return undefined;
    case 'saveBackoff':
      backoff.set(key, e.record);
      return undefined;
    case 'dropBackoff':
      backoff.delete(key);
      return undefined;
    case 'deletePods':
      return deletePods(e, ns, key, control, opts);
    case 'createPods':
      return createPods(e.pods, ns, key, control, opts);
    case 'updateStatus':
      try {
        return { job: await control.updateJobStatus(e.job) } satisfies StatusOutcome;
      } catch (error) {
        return { error } satisfies StatusOutcome;
      }
    case 'removeFinalizers':
      return removeFinalizers(e.pods, key, control, opts);
  }
}

async function deletePods(e: Extract<JobEffect, { kind: 'deletePods' }>, ns: string, key: string, control: JobControl, opts: SyncJobOptions): Promise<DeleteOutcome> {
  if (e.expectDeletions) opts.expectations?.raise(key, 0, e.pods.length);
  const results = await Promise.all(
    e.pods.map(async (pod) => {
      const name = pod.metadata.name ?? '';
      try {
        const patch = e.removeFinalizerFirst ? removeTrackingFinalizerPatch(pod) : null;
        if (patch) await control.patchPod(pod.metadata.namespace ?? ns, name, patch);
        await control.deletePod(pod.metadata.namespace ?? ns, name, pod.metadata.uid ? { uid: pod.metadata.uid } : undefined);
        return { pod };
      } catch (error) {
        if (e.expectDeletions) opts.expectations?.deletionObserved(key); // the informer will not see it
        return isApiError(error, 404) ? { pod } : { pod, error };
      }
    }),
  );
  return { results };
}

async function createPods(pods: Pod[], ns: string, key: string, control: JobControl, opts: SyncJobOptions): Promise<CreateOutcome> {
  // Expect before creating: the informer may deliver the new pod before createPod returns.
  opts.expectations?.raise(key, pods.length, 0);
  const results = await Promise.all(
    pods.map(async (pod) => {
      try {
        return { created: await control.createPod(ns, pod) };
      } catch (error) {
        opts.expectations?.creationObserved(key);
        return { error };
      }
    }),
  );
  return { results };
}

async function removeFinalizers(pods: Pod[], key: string, control: JobControl, opts: SyncJobOptions): Promise<FinalizerOutcome> {
  const uids = pods.map((p) => p.metadata.uid ?? '');
  // Recorded before patching: an informer update that shows the finalizer gone must find it.
  opts.finalizerExpectations?.expectRemovals(key, uids);
  const removed: string[] = [];
  let firstError: unknown;
  await Promise.all(
    pods.map(async (pod, i) => {
      const patch = removeTrackingFinalizerPatch(pod);
      const uid = uids[i]!;
      if (!patch) {
        removed.push(uid);
        return;
      }
      try {
        await control.patchPod(pod.metadata.namespace ?? '', pod.metadata.name ?? '', patch);
        removed.push(uid);
      } catch (error) {
        opts.finalizerExpectations?.removalObserved(key, uid);
        if (isApiError(error, 404)) removed.push(uid);
        else firstError ??= error;
      }
    }),
  );
  return firstError === undefined ? { removed } : { removed, error: firstError };
}
