import type { KObject, Pod } from '@kjobs/api';

/** Finalizers the garbage collector acts on. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/**
 * The propagation policy Kubernetes applies when a DELETE names none: batch/v1 Jobs (and core
 * ReplicationControllers) orphan their dependents for backward compatibility; everything else
 * deletes them in the background.
 */
export function defaultPropagation(kind: string): PropagationPolicy {
  return kind === 'Job' ? 'Orphan' : 'Background';
}

/** What a DELETE does to a stored object. */
export type DeleteDecision =
  | { action: 'remove' }
  | { action: 'mark'; object: KObject };

/**
 * Decide a DELETE: remove now, or mark the object (deletionTimestamp, grace period, GC finalizer)
 * and leave the rest to the kubelet (graceful pod termination) and finalizer owners.
 *
 * does: 1. add the GC finalizer of a Foreground/Orphan policy; 2. a bound, running pod gets a
 * graceful deletion (deletionTimestamp = now + grace); 3. otherwise an object with finalizers is
 * marked; 4. otherwise it is removed.
 */
export function decideDelete(cur: KObject, kind: string, opts: { propagationPolicy?: PropagationPolicy; gracePeriodSeconds?: number }, now: Date): DeleteDecision {
  const policy = opts.propagationPolicy ?? defaultPropagation(kind);
  const meta = { ...cur.metadata };
  let finalizers = [...(meta.finalizers ?? [])];
  // A later DELETE with another policy replaces the GC finalizer, as Kubernetes does.
  if (policy === 'Foreground' || policy === 'Orphan') {
    finalizers = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
    const hasDependents = true; // cheap: the GC removes the finalizer at once when there are none
    if (hasDependents) finalizers.push(policy === 'Foreground' ? FOREGROUND_FINALIZER : ORPHAN_FINALIZER);
  }
  const ts = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (kind === 'Pod') {
    const pod = cur as Pod;
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const bound = !!pod.spec?.nodeName;
    let grace = opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    if (!bound || terminal) grace = 0;
    if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined && grace >= meta.deletionGracePeriodSeconds) {
      // Already being deleted with a shorter or equal grace period: only finalizer changes matter.
      if (finalizers.length === (meta.finalizers ?? []).length) return { action: 'mark', object: cur };
      return { action: 'mark', object: { ...cur, metadata: { ...meta, finalizers } } };
    }
    if (grace > 0) {
      return {
        action: 'mark',
        object: { ...cur, metadata: { ...meta, finalizers: finalizers.length ? finalizers : undefined, deletionTimestamp: ts(new Date(now.getTime() + grace * 1000)), deletionGracePeriodSeconds: grace } },
      };
    }
    if (finalizers.length === 0) return { action: 'remove' };
    return { action: 'mark', object: { ...cur, metadata: { ...meta, finalizers, deletionTimestamp: meta.deletionTimestamp ?? ts(now), deletionGracePeriodSeconds: 0 } } };
  }
  if (finalizers.length === 0) return { action: 'remove' };
  return { action: 'mark', object: { ...cur, metadata: { ...meta, finalizers, deletionTimestamp: meta.deletionTimestamp ?? ts(now), deletionGracePeriodSeconds: 0 } } };
}

/** True when an object marked for deletion may now be removed from the store. */
export function readyToRemove(o: KObject): boolean {
  if (!o.metadata.deletionTimestamp) return false;
  if ((o.metadata.finalizers ?? []).length > 0) return false;
  // A pod still inside its grace period waits for the kubelet's final (grace 0) delete.
  if (o.kind === 'Pod' && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0) {
    const phase = (o as Pod).status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') return false;
  }
  return true;
}
