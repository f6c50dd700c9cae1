import { findResource, isApiError, type Event } from '@kjobs/api';
import type { Store } from '@kjobs/store';
import type { Logger } from 'pino';

/** Options of the Event janitor. */
export interface EventJanitorOptions {
  store: Store;
  /** Events last seen longer ago than this are deleted (Kubernetes' --event-ttl default: 1 h). */
  ttlMs?: number;
  /** How often to sweep (default a tenth of the TTL, between 1 s and 60 s: Events outlive the TTL by at most that). */
  intervalMs?: number;
  now?: () => Date;
  log?: Logger;
  /** With several api-servers: sweep only while this is true (the relay lease's holder). Default: always. */
  isLeader?: () => boolean;
}

/**
 * Expires Events like kube-apiserver's --event-ttl. Redis EXPIRE would drop them without a change
 * record (watchers would keep them forever), so the janitor deletes them through the store: every
 * expiry is a DELETED event like any other delete. With several api-servers only the relay
 * lease's holder sweeps (`isLeader`), so the Events are not listed once per replica; were two
 * to sweep at once (a lease changing hands mid-sweep), a delete that lost the race is a 404 or
 * 409 and is ignored.
 */
export class EventJanitor {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(private readonly o: EventJanitorOptions) {
    this.ttlMs = o.ttlMs ?? 3_600_000;
    this.now = o.now ?? (() => new Date());
  }

  start(): void {
    const every = this.o.intervalMs ?? Math.min(60_000, Math.max(1_000, this.ttlMs / 10));
    this.timer = setInterval(() => {
      if (!(this.o.isLeader?.() ?? true)) return;
      this.sweep().catch((e) => this.o.log?.warn({ err: e }, 'event janitor sweep failed'));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass over every Event, page by page; returns how many were deleted. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const res = findResource('', 'events')!;
    const cutoff = this.now().getTime() - this.ttlMs;
    let deleted = 0;
    try {
      let cont: string | undefined;
      do {
        const page = await this.o.store.list(res, { limit: 500, continue: cont });
        cont = page.continue;
        const expired = (page.items as Event[]).filter((ev) => {
          const seen = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '') || 0;
          return seen !== 0 && seen <= cutoff;
        });
        // Deletes of one page go out together (the store pipelines them): one at a time, a busy
        // api-server expired fewer Events per second than a busy cluster records.
        const results = await Promise.allSettled(expired.map((ev) => this.o.store.delete(res, ev.metadata.namespace ?? '', ev.metadata.name ?? '', { expectedRv: ev.metadata.resourceVersion })));
        for (const r of results) {
          if (r.status === 'fulfilled') deleted++;
          else if (!isApiError(r.reason, 404) && !isApiError(r.reason, 409)) throw r.reason;
        }
      } while (cont);
    } finally {
      this.running = false;
    }
    if (deleted) this.o.log?.debug({ deleted }, 'expired events');
    return deleted;
  }
}
