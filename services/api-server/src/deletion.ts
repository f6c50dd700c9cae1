import { type KObject, rfc3339 } from '@kjobs/api';

/** Finalizers the garbage collector acts on. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** How a kind's DELETE waits for its object to stop (only pods: the kubelet's graceful termination). */
export interface GracefulDeletion {
  /** The grace period a DELETE gives `obj` (`requested`: the DeleteOptions' gracePeriodSeconds); 0 removes at once. */
  period(obj: KObject, requested: number | undefined): number;
  /** Has the object stopped, so a marked one may be removed before its grace period ends? */
  stopped(obj: KObject): boolean;
}

/** A kind's deletion rules (its strategy's). */
export interface DeletionRules {
  /** The propagation policy of a DELETE that names none. */
  readonly defaultPropagation: PropagationPolicy;
  /** Present for kinds whose deletion is graceful. */
  readonly graceful?: GracefulDeletion;
}

/** What a DELETE does to a stored object. */
export type DeleteDecision =
  | { action: 'remove' }
  | { action: 'mark'; object: KObject };

/**
 * Decide a DELETE: remove now, or mark the object (deletionTimestamp, grace period, GC finalizer)
 * and leave the rest to the kubelet (graceful pod termination) and finalizer owners.
 *
 * does: 1. add the GC finalizer of a Foreground/Orphan policy (the kind's default when the DELETE
 * names none: Jobs orphan, everything else is Background); 2. a kind with graceful deletion (a
 * bound, running pod) gets deletionTimestamp = now + grace; 3. otherwise an object with finalizers
 * is marked; 4. otherwise it is removed.
 */
export function decideDelete(cur: KObject, rules: DeletionRules, opts: { propagationPolicy?: PropagationPolicy; gracePeriodSeconds?: number }, now: Date): DeleteDecision {
  const policy = opts.propagationPolicy ?? rules.defaultPropagation;
  const meta = { ...cur.metadata };
  let finalizers = [...(meta.finalizers ?? [])];
  // A later DELETE with another policy replaces the GC finalizer, as Kubernetes does.
  if (policy === 'Foreground' || policy === 'Orphan') {
    finalizers = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
    const hasDependents = true; // cheap: the GC removes the finalizer at once when there are none
    if (hasDependents) finalizers.push(policy === 'Foreground' ? FOREGROUND_FINALIZER : ORPHAN_FINALIZER);
  }
  const ts = rfc3339;
  if (rules.graceful) {
    const grace = rules.graceful.period(cur, opts.gracePeriodSeconds);
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
export function readyToRemove(o: KObject, rules: Pick<DeletionRules, 'graceful'>): boolean {
  if (!o.metadata.deletionTimestamp) return false;
  if ((o.metadata.finalizers ?? []).length > 0) return false;
  // A pod still inside its grace period waits for the kubelet's final (grace 0) delete.
  if (rules.graceful && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0 && !rules.graceful.stopped(o)) return false;
  return true;
}
