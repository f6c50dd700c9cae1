/**
 * `syncOrphanPod` (Kubernetes' orphan-pod queue): remove the tracking finalizer of a pod whose Job
 * no longer exists or has finished. A finished Job is never synced again, so without this a pod it
 * did not count (one it was deleting as the Job ended) would keep its finalizer, and a Job deleted
 * in the foreground (the TTL controller's way) would wait for that pod forever.
 */
import { isApiError, type Job, type Pod } from '@kjobs/api';
import { isJobFinished } from './conditions.js';
import { JOB_TRACKING_FINALIZER } from './constants.js';
import type { JobSyncDeps } from './control.js';
import { hasTrackingFinalizer } from './pod-facts.js';

/** The Job controller reference of a pod, if any. */
function jobRefOf(p: Pod) {
  return p.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job');
}

/** Does the pod hold the tracking finalizer for no running Job? The cached Job when known; `undefined` = look it up uncached. */
export function isOrphanedTrackedPod(p: Pod, cachedJob: Job | undefined): boolean | undefined {
  if (!hasTrackingFinalizer(p)) return false;
  const ref = jobRefOf(p);
  if (cachedJob) return isJobFinished(cachedJob);
  return ref ? undefined : true;
}

/**
 * Sync the pod `podKey` (namespace/name). Does: 1. skip a pod without the finalizer or whose Job
 * (cached) is still running; 2. a Job missing from the cache is read uncached (it may just not be
 * there yet); 3. patch the finalizer away with the resourceVersion read (a pod gone is done).
 */
export async function syncOrphanPod(podKey: string, d: Pick<JobSyncDeps, 'jobs' | 'pods' | 'control'>): Promise<void> {
  const p = d.pods.get(podKey);
  if (!p) return;
  const ref = jobRefOf(p);
  let orphaned = isOrphanedTrackedPod(p, ref ? d.jobs.byIndex('uid', ref.uid)[0] : undefined);
  if (orphaned === undefined && ref) {
    try {
      const j = await d.control.getJob(p.metadata.namespace!, ref.name);
      orphaned = j.metadata.uid !== ref.uid || isJobFinished(j);
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
      orphaned = true;
    }
  }
  if (!orphaned) return;
  const finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
  try {
    await d.control.patchPod(p.metadata.namespace!, p.metadata.name!, { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: p.metadata.resourceVersion } });
  } catch (e) {
    if (!isApiError(e, 404)) throw e;
  }
}
