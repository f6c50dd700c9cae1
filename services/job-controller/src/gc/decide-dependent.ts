/**
 * Garbage-collector decisions for a dependent (Kubernetes pkg/controller/garbagecollector
 * `attemptToDeleteItem`, as a pure function): Background deletion — the owner is gone, and each
 * dependent whose owners are all gone is deleted. Owners being deleted: decide-owner.ts.
 */
import type { KObject, OwnerReference } from '@kjobs/api';

/** Finalizer of an owner deleted with propagationPolicy Foreground. */
export const FOREGROUND_DELETION_FINALIZER = 'foregroundDeletion';
/** Finalizer of an owner deleted with propagationPolicy Orphan. */
export const ORPHAN_FINALIZER = 'orphan';

/** What the GC needs to know about an owner that exists. */
export interface GcOwner {
  uid: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

/** Looks an owner up by uid; undefined = no object with that uid exists. */
export type OwnerLookup = (uid: string) => GcOwner | undefined;

/** Propagation policy of a DELETE the GC sends. */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** What to do with one dependent. */
export type DependentDecision =
  | { kind: 'keep' }
  /** Patch the dependent's ownerReferences to this list (references to dangling / waiting owners dropped). */
  | { kind: 'removeOwnerRefs'; ownerReferences: OwnerReference[] }
  | { kind: 'delete'; propagationPolicy: PropagationPolicy; preconditions: { uid: string } };

function isDeletingDependents(o: { deletionTimestamp?: string; finalizers?: string[] }): boolean {
  return !!o.deletionTimestamp && (o.finalizers ?? []).includes(FOREGROUND_DELETION_FINALIZER);
}

/**
 * Sort a dependent's ownerReferences: solid (owner exists and is not waiting for its dependents),
 * dangling (no owner with that uid) and waiting (owner in foreground deletion).
 */
export function classifyOwnerRefs(dependent: KObject, lookup: OwnerLookup): { solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] } {
  const out = { solid: [] as OwnerReference[], dangling: [] as OwnerReference[], waiting: [] as OwnerReference[] };
  for (const ref of dependent.metadata.ownerReferences ?? []) {
    const owner = lookup(ref.uid);
    if (!owner) out.dangling.push(ref);
    else if (isDeletingDependents(owner)) out.waiting.push(ref);
    else out.solid.push(ref);
  }
  return out;
}

/**
 * `attemptToDeleteItem` for one dependent (one with ownerReferences):
 * 1. already being deleted (and not itself deleting dependents) → keep;
 * 2. some solid owner: drop references to dangling and waiting owners, else keep;
 * 3. no solid owner: delete — Foreground when a waiting owner exists and the dependent has
 *    dependents of its own, else by the dependent's own finalizers (orphan → Orphan,
 *    foregroundDeletion → Foreground), else Background.
 */
export function decideDependent(dependent: KObject, lookup: OwnerLookup, hasOwnDependents = false): DependentDecision {
  const meta = dependent.metadata;
  if ((meta.ownerReferences ?? []).length === 0) return { kind: 'keep' };
  if (meta.deletionTimestamp && !isDeletingDependents(meta)) return { kind: 'keep' };
  const { solid, dangling, waiting } = classifyOwnerRefs(dependent, lookup);
  const uid = meta.uid ?? '';
  if (solid.length > 0) {
    if (dangling.length + waiting.length === 0) return { kind: 'keep' };
    const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
    return { kind: 'removeOwnerRefs', ownerReferences: (meta.ownerReferences ?? []).filter((r) => !drop.has(r.uid)) };
  }
  if (waiting.length > 0 && hasOwnDependents) return { kind: 'delete', propagationPolicy: 'Foreground', preconditions: { uid } };
  const fin = meta.finalizers ?? [];
  const propagationPolicy: PropagationPolicy = fin.includes(ORPHAN_FINALIZER) ? 'Orphan' : fin.includes(FOREGROUND_DELETION_FINALIZER) ? 'Foreground' : 'Background';
  return { kind: 'delete', propagationPolicy, preconditions: { uid } };
}
