/**
 * Which pods a Job owns this sync (Kubernetes' ControllerRefManager.ClaimPods), as a plan: owned
 * pods that still match the selector (or are being deleted) are kept; owned pods that no longer
 * match are released; orphans that match are adopted, unless the Job is being deleted or selects
 * nothing.
 */
import { labelSelectorToRequirements, matchesLabels, type Job, type OwnerReference, type Pod } from '@kjobs/api';
import { controllerUid } from '../shared.js';
import { jobControllerRef } from './pod-template.js';

/** A pod and the ownerReferences it gets. */
export interface OwnerChange {
  pod: Pod;
  ownerReferences: OwnerReference[];
}

/** The claim of one sync: pods kept as they are, released, and adopted (each with its new references). */
export interface ClaimPlan {
  keep: Pod[];
  release: OwnerChange[];
  adopt: OwnerChange[];
}

/** Plan the claim of `job` over the pods that name it as an owner and the pods of its namespace. */
export function planClaimPods(job: Job, ownedPods: readonly Pod[], namespacePods: readonly Pod[]): ClaimPlan {
  const uid = job.metadata.uid!;
  const sel = labelSelectorToRequirements(job.spec.selector);
  const plan: ClaimPlan = { keep: [], release: [], adopt: [] };
  for (const p of ownedPods) {
    if (controllerUid(p) !== uid) continue;
    if (matchesLabels(sel, p.metadata.labels) || p.metadata.deletionTimestamp) plan.keep.push(p);
    else plan.release.push({ pod: p, ownerReferences: (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid) });
  }
  if (job.metadata.deletionTimestamp || sel.length === 0) return plan;
  for (const p of namespacePods) {
    if (controllerUid(p) || p.metadata.deletionTimestamp || !matchesLabels(sel, p.metadata.labels)) continue;
    plan.adopt.push({ pod: p, ownerReferences: [...(p.metadata.ownerReferences ?? []), jobControllerRef(job)] });
  }
  return plan;
}
