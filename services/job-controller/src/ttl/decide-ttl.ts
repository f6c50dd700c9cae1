/**
 * TTL-after-finished (Kubernetes ttlafterfinished_controller.go): a finished Job with
 * `ttlSecondsAfterFinished` is deleted (Foreground, uid precondition) that many seconds after it
 * finished. The TTL is mutable, so the controller re-reads the Job uncached before deleting.
 */
import type { Job, JobCondition } from '@kjobs/api';

function findCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

function timeMs(t: string | null | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** What the TTL controller does with a Job now. */
export type TtlDecision =
  /** No TTL, not finished, or already being deleted. */
  | { kind: 'none' }
  /** Not expired yet: look again after this long. `clockSkew` when the finish time is in the future. */
  | { kind: 'wait'; afterMs: number; expireAt: Date; clockSkew?: boolean }
  /** Expired: re-GET uncached, re-decide, then DELETE with these options. */
  | { kind: 'delete'; expireAt: Date; propagationPolicy: 'Foreground'; preconditions: { uid: string } }
  /** Finished but no usable finish time. */
  | { kind: 'error'; message: string };

/**
 * When the Job finished: the lastTransitionTime of its Complete=True or Failed=True condition
 * (completionTime for a Complete condition without one); null when it has not finished or the
 * time is missing.
 */
export function jobFinishTime(job: Job): Date | null {
  for (const type of ['Complete', 'Failed'] as const) {
    const c = findCondition(job.status?.conditions, type);
    if (c?.status !== 'True') continue;
    const ms = timeMs(c.lastTransitionTime) || (type === 'Complete' ? timeMs(job.status?.completionTime) : 0);
    return ms === 0 ? null : new Date(ms);
  }
  return null;
}

function isFinished(job: Job): boolean {
  return ['Complete', 'Failed'].some((t) => findCondition(job.status?.conditions, t)?.status === 'True');
}

/**
 * Decide for one Job at `now`:
 * 1. no TTL, not finished, or being deleted → none;
 * 2. expireAt = finish time + ttl; now ≥ expireAt → delete (Foreground, uid precondition);
 * 3. otherwise wait expireAt - now (flagging a finish time in the future as clock skew).
 */
export function decideTtl(job: Job, now: Date): TtlDecision {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp || !isFinished(job)) return { kind: 'none' };
  const finishAt = jobFinishTime(job);
  if (!finishAt) return { kind: 'error', message: `unable to find the time when the Job ${job.metadata.namespace}/${job.metadata.name} finished` };
  const expireAt = new Date(finishAt.getTime() + ttl * 1000);
  const left = expireAt.getTime() - now.getTime();
  if (left <= 0) return { kind: 'delete', expireAt, propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid ?? '' } };
  return finishAt.getTime() > now.getTime() ? { kind: 'wait', afterMs: left, expireAt, clockSkew: true } : { kind: 'wait', afterMs: left, expireAt };
}
