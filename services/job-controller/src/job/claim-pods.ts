/** The read step of a Job sync: the Job's pods from the cache, adopting and releasing as planned. */
import { isApiError, type Job, type OwnerReference, type Pod } from '@kjobs/api';
import type { JobSyncDeps } from './control.js';
import { planClaimPods } from './decide-claim.js';
import { orphansJobMaySelect, podsJobControls } from '../shared.js';

/**
 * The Job's pods (see decide-claim.ts; without the finished, counted pods a generated selector
 * keeps anyway: shared.ts `podsJobControls`): releases and adoptions are written one by one, each with
 * the resourceVersion read; an adopted pod joins the result only when its patch succeeded (a pod
 * gone or changed meanwhile is left to the next sync).
 */
export async function claimPods(job: Job, d: Pick<JobSyncDeps, 'pods' | 'control'>): Promise<Pod[]> {
  const plan = planClaimPods(job, podsJobControls(d.pods, job), orphansJobMaySelect(d.pods, job));
  for (const r of plan.release) await patchOwnerRefs(r.pod, r.ownerReferences, d);
  const out = [...plan.keep];
  for (const a of plan.adopt) {
    if (await patchOwnerRefs(a.pod, a.ownerReferences, d)) out.push({ ...a.pod, metadata: { ...a.pod.metadata, ownerReferences: a.ownerReferences } });
  }
  return out;
}

async function patchOwnerRefs(p: Pod, refs: OwnerReference[], d: Pick<JobSyncDeps, 'control'>): Promise<boolean> {
  try {
    await d.control.patchPod(p.metadata.namespace!, p.metadata.name!, { metadata: { ownerReferences: refs, resourceVersion: p.metadata.resourceVersion } });
    return true;
  } catch (e) {
    if (isApiError(e, 404) || isApiError(e, 409)) return false;
    throw e;
  }
}
