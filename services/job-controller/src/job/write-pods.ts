/**
 * The pod writes of a Job sync (Kubernetes manageJob's podControl calls): each raises its
 * expectations before writing, records its events in order, and collects errors instead of
 * throwing, so a sync finishes what it can and is retried for the rest.
 */
import { type Job, type Pod, isApiError } from '@kjobs/api';
import { JOB_TRACKING_FINALIZER } from './constants.js';
import type { JobSyncDeps } from './control.js';
import { slowStartBatches } from './decide-manage-pods.js';
import { isPodReady } from './pod-facts.js';

type Deps = Pick<JobSyncDeps, 'control' | 'expectations' | 'finalizers'>;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The merge patch that drops the tracking finalizer from a pod, keeping any other finalizer. */
export function removeTrackingFinalizerPatch(pod: Pod): { metadata: { finalizers: string[] } } | null {
  const finalizers = pod.metadata.finalizers ?? [];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) return null;
  return { metadata: { finalizers: finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER) } };
}

/**
 * Delete pods in parallel and record SuccessfulDelete / FailedDelete in order. With
 * `removeFinalizerFirst` (scale-down, suspend) the tracking finalizer goes first, so the pod is
 * never counted as failed, and the deletions are expected. A pod already gone counts as deleted.
 */
export async function deletePods(job: Job, key: string, pods: Pod[], removeFinalizerFirst: boolean, d: Deps, errors: unknown[]): Promise<{ deleted: number; deletedReady: number }> {
  if (pods.length === 0) return { deleted: 0, deletedReady: 0 };
  const ns = job.metadata.namespace ?? '';
  if (removeFinalizerFirst) d.expectations.raise(key, 0, pods.length);
  const results = await Promise.all(
    pods.map(async (pod) => {
      const name = pod.metadata.name ?? '';
      try {
        const patch = removeFinalizerFirst ? removeTrackingFinalizerPatch(pod) : null;
        if (patch) await d.control.patchPod(pod.metadata.namespace ?? ns, name, patch);
        await d.control.deletePod(pod.metadata.namespace ?? ns, name, pod.metadata.uid ? { uid: pod.metadata.uid } : undefined);
        return undefined;
      } catch (error) {
        if (removeFinalizerFirst) d.expectations.deletionObserved(key); // the informer will not see it
        return isApiError(error, 404) ? undefined : { error };
      }
    }),
  );
  let deleted = 0;
  let deletedReady = 0;
  for (const [i, r] of results.entries()) {
    const pod = pods[i]!;
    if (r) {
      errors.push(r.error);
      d.control.recordEvent(job, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(r.error)}`);
      continue;
    }
    deleted++;
    if (isPodReady(pod)) deletedReady++;
    d.control.recordEvent(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
  }
  return { deleted, deletedReady };
}

/**
 * Create pods in slow-start batches (1, 2, 4, …), each in parallel, stopping after a batch with a
 * failure (a later sync retries the rest). Records SuccessfulCreate / FailedCreate in order.
 * Returns how many were created.
 */
export async function createPods(job: Job, key: string, pods: Pod[], d: Deps, errors: unknown[]): Promise<number> {
  const ns = job.metadata.namespace ?? '';
  let created = 0;
  let next = 0;
  for (const size of slowStartBatches(pods.length)) {
    const batch = pods.slice(next, next + size);
    next += size;
    // Expect before creating: the informer may deliver the new pod before createPod returns.
    d.expectations.raise(key, batch.length, 0);
    const results = await Promise.all(
      batch.map(async (pod) => {
        try {
          return { created: await d.control.createPod(ns, pod) };
        } catch (error) {
          d.expectations.creationObserved(key);
          return { error };
        }
      }),
    );
    let failed = false;
    for (const [i, r] of results.entries()) {
      if (!r.created) {
        failed = true;
        errors.push(r.error ?? new Error('pod create returned nothing'));
        d.control.recordEvent(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(r.error)}`);
        continue;
      }
      created++;
      d.control.recordEvent(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.created.metadata.name ?? batch[i]?.metadata.generateName ?? ''}`);
    }
    if (failed) break;
  }
  return created;
}

/**
 * Patch the tracking finalizer off pods in parallel, their uids expected first (an informer update
 * that shows the finalizer gone must find them). Returns the uids whose finalizer is gone (or whose
 * pod is gone) and the first other error.
 */
export async function removeFinalizers(key: string, pods: Pod[], d: Deps): Promise<{ removed: string[]; error?: unknown }> {
  const uids = pods.map((p) => p.metadata.uid ?? '');
  d.finalizers.expectUids(key, uids);
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
        await d.control.patchPod(pod.metadata.namespace ?? '', pod.metadata.name ?? '', patch);
        removed.push(uid);
      } catch (error) {
        d.finalizers.observed(key, uid);
        if (isApiError(error, 404)) removed.push(uid);
        else firstError ??= error;
      }
    }),
  );
  return firstError === undefined ? { removed } : { removed, error: firstError };
}
