import { isApiError, type Lease, rfc3339Micro } from '@kjobs/api';
import type { ApiClient } from './types.js';

/** Options of a leader elector (client-go's defaults). */
export interface LeaderElectionOptions {
  client: ApiClient;
  /** Lease name, e.g. "kube-controller-manager". */
  name: string;
  namespace?: string;
  /** This replica's identity (host name + random suffix). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /**
   * Longest one acquire/renew attempt (a get and an update) may take before it counts as failed
   * and the next one starts (default: a third of the renew deadline, so three attempts fit in it).
   */
  attemptTimeoutMs?: number;
  onStartedLeading: () => void;
  /** Leadership lost: the process should stop acting (services exit and restart). */
  onStoppedLeading: () => void;
  now?: () => Date;
}


/**
 * Leader election over a coordination.k8s.io/v1 Lease with compare-and-swap updates: acquire when
 * the lease is free or expired, renew every retry period, give up leadership when a renewal has
 * not succeeded within the renew deadline. Two replicas never lead at once as long as clocks agree
 * within the lease duration.
 */
export class LeaderElector {
  private timer?: NodeJS.Timeout;
  private leading = false;
  private lastRenew = 0;
  private stopped = false;
  private readonly o: Required<Omit<LeaderElectionOptions, 'now'>> & { now: () => Date };

  constructor(opts: LeaderElectionOptions) {
    const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.o = { namespace: 'kube-system', leaseDurationMs: 15_000, renewDeadlineMs, retryPeriodMs: 2_000, attemptTimeoutMs: Math.ceil(renewDeadlineMs / 3), now: () => new Date(), ...opts };
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      let timedOut = false;
      try {
        // Why bounded: over NATS a request whose message is lost (e.g. NATS restarts while it is in
        // flight) only fails at the client's timeout, which can be as long as the renew deadline;
        // one lost message would then cost the leadership. An abandoned attempt may still land
        // later; that is harmless, every write is a compare-and-swap on the Lease.
        const ok = await this.withTimeout(this.tryAcquireOrRenew(), () => (timedOut = true));
        if (ok) {
          this.lastRenew = Date.now();
          if (!this.leading) {
            this.leading = true;
            this.o.onStartedLeading();
          }
        }
      } catch {
        /* retried next period */
      }
      if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs) {
        this.leading = false;
        this.o.onStoppedLeading();
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), timedOut ? 0 : this.o.retryPeriodMs);
    };
    void tick();
  }

  /** Stop; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const cur = await this.o.client.get<Lease>('Lease', this.o.namespace, this.o.name);
      if (cur.spec.holderIdentity === this.o.identity) {
        await this.o.client.update('Lease', { ...cur, spec: { ...cur.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: rfc3339Micro(this.o.now()) } });
      }
    } catch {
      /* it expires on its own */
    }
  }

  /** `attempt`, or false once `attemptTimeoutMs` passed (calling `onTimeout`). */
  private withTimeout(attempt: Promise<boolean>, onTimeout: () => void): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      t = setTimeout(() => {
        onTimeout();
        resolve(false);
      }, this.o.attemptTimeoutMs);
    });
    attempt.catch(() => undefined);
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(t));
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.now();
    const durS = Math.ceil(this.o.leaseDurationMs / 1000);
    let cur: Lease;
    try {
      cur = await this.o.client.get<Lease>('Lease', this.o.namespace, this.o.name);
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
      try {
        await this.o.client.create<Lease>('Lease', {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: { holderIdentity: this.o.identity, leaseDurationSeconds: durS, acquireTime: rfc3339Micro(now), renewTime: rfc3339Micro(now), leaseTransitions: 0 },
        });
        return true;
      } catch (e2) {
        if (isApiError(e2, 409)) return false;
        throw e2;
      }
    }
    const holder = cur.spec.holderIdentity;
    const renew = cur.spec.renewTime ? Date.parse(cur.spec.renewTime) : 0;
    const expired = !holder || renew + (cur.spec.leaseDurationSeconds ?? durS) * 1000 < now.getTime();
    if (holder !== this.o.identity && !expired) return false;
    const spec = holder === this.o.identity
      ? { ...cur.spec, renewTime: rfc3339Micro(now), leaseDurationSeconds: durS }
      : { holderIdentity: this.o.identity, leaseDurationSeconds: durS, acquireTime: rfc3339Micro(now), renewTime: rfc3339Micro(now), leaseTransitions: (cur.spec.leaseTransitions ?? 0) + 1 };
    try {
      await this.o.client.update('Lease', { ...cur, spec });
      return true;
    } catch (e) {
      if (isApiError(e, 409)) return false;
      throw e;
    }
  }
}
