import type { Pod, PodStatus } from '@kjobs/api';

/**
 * Kubelet's status manager writes a pod's newest status when it gets to the pod, and its PLEG
 * notices containers only when it relists, so a container that ends quickly shows Pending, then
 * its end: one write and one watch event per watcher fewer than Pending, Running, end. The
 * same here: a pod's first Running status waits up to `holdMs` for the pod's end (the
 * runtime's exit report syncs the pod at once, and its status is written then). Only that one
 * transition waits; nothing else does.
 */
export class FirstRunningHold {
  /** pod key → when its held first Running status is written anyway (epoch ms). */
  private readonly until = new Map<string, number>();

  /** `holdMs` 0 writes every status at once. */
  constructor(private readonly holdMs: number) {}

  /** The wait left before `status` is written over the pod's, or undefined to write now. */
  wait(key: string, pod: Pod, status: PodStatus): number | undefined {
    const first = status.phase === 'Running' && (pod.status?.phase ?? 'Pending') === 'Pending';
    if (this.holdMs <= 0 || !first) {
      this.until.delete(key);
      return undefined;
    }
    const now = Date.now();
    let until = this.until.get(key);
    if (until === undefined) this.until.set(key, (until = now + this.holdMs));
    if (now >= until) {
      this.until.delete(key);
      return undefined;
    }
    return until - now;
  }

  /** Forget the pod (its object is gone). */
  forget(key: string): void {
    this.until.delete(key);
  }
}

/** Compare statuses ignoring key order; lastProbeTime/heartbeat noise is not produced by the runtime. */
export function statusChanged(a: PodStatus | undefined, b: PodStatus): boolean {
  return stable(a ?? {}) !== stable(b);
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([x], [y]) => (x < y ? -1 : 1))) : val));
}
