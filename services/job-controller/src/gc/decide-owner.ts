/**
 * Garbage-collector decisions for an owner being deleted (Kubernetes pkg/controller/garbagecollector
 * `processDeletingDependentsItem` and `orphanDependents`, as a pure function):
 * - Foreground: the owner carries `foregroundDeletion`; its dependents are deleted, and the
 *   finalizer is removed once no dependent with `blockOwnerDeletion: true` is left.
 * - Orphan: the owner carries `orphan`; its ownerReference is removed from every dependent, then
 *   the finalizer is removed.
 */
import type { KObject, OwnerReference } from '@kjobs/api';
import { FOREGROUND_DELETION_FINALIZER, ORPHAN_FINALIZER, type GcOwner, type PropagationPolicy } from './decide-dependent.js';

/** What to do for an owner that is being deleted, given the objects that reference it. */
export interface OwnerFinalization {
  /** Dependents to delete now (foreground). */
  deleteDependents: { obj: KObject; propagationPolicy: PropagationPolicy }[];
  /** Dependents to patch with this ownerReferences list (orphan). */
  orphanDependents: { obj: KObject; ownerReferences: OwnerReference[] }[];
  /** The GC finalizer to remove from the owner now, if any. */
  removeFinalizer?: typeof FOREGROUND_DELETION_FINALIZER | typeof ORPHAN_FINALIZER;
  /** Dependents that still block the owner (foreground). */
  blocking: number;
}

function referencesOwner(obj: KObject, uid: string): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
}

/**
 * Finalize an owner that has a deletionTimestamp:
 * - `orphan` (checked first, as the GC does): remove the owner's reference from every dependent
 *   that still has it; once none has, remove the finalizer;
 * - `foregroundDeletion`: delete every dependent not already being deleted; once no dependent with
 *   blockOwnerDeletion=true remains, remove the finalizer;
 * - neither: nothing (background dependents are collected when the owner is gone).
 * `dependents` are the objects whose ownerReferences name the owner's uid (others are ignored).
 */
export function decideOwnerFinalization(owner: GcOwner & { dependentsHaveDependents?: (obj: KObject) => boolean }, dependents: readonly KObject[]): OwnerFinalization {
  const out: OwnerFinalization = { deleteDependents: [], orphanDependents: [], blocking: 0 };
  if (!owner.deletionTimestamp) return out;
  const mine = dependents.filter((d) => referencesOwner(d, owner.uid));
  const fin = owner.finalizers ?? [];
  if (fin.includes(ORPHAN_FINALIZER)) {
    for (const d of mine) out.orphanDependents.push({ obj: d, ownerReferences: (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.uid) });
    if (mine.length === 0) out.removeFinalizer = ORPHAN_FINALIZER;
    return out;
  }
  if (fin.includes(FOREGROUND_DELETION_FINALIZER)) {
    for (const d of mine) {
      if (referencesOwner(d, owner.uid)?.blockOwnerDeletion) out.blocking++;
      if (!d.metadata.deletionTimestamp) {
        const nested = owner.dependentsHaveDependents?.(d) ?? false;
        out.deleteDependents.push({ obj: d, propagationPolicy: nested ? 'Foreground' : 'Background' });
      }
    }
    if (out.blocking === 0) out.removeFinalizer = FOREGROUND_DELETION_FINALIZER;
  }
  return out;
}
