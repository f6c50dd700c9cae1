import { findResource, isApiError, type Event, type ResourceInfo } from '@kjobs/api';
import type { ChangeRecord, Store } from '@kjobs/store';
import type { Logger } from 'pino';

/** The part of the WatchHub the janitor uses: this process's feed of one kind's changes. */
export interface ChangeFeed {
  subscribe(res: ResourceInfo, fn: (rec: ChangeRecord) => void): () => void;
}

/** Options of the Event janitor. */
export interface EventJanitorOptions {
  store: Store;
  /**
   * The change feed (the api-server's WatchHub). With it, the janitor learns of every Event write
   * as it happens and expires Events without listing them; without it, every pass is a full sweep.
   */
  feed?: ChangeFeed;
  /** Events written longer ago than this are deleted (Kubernetes' --event-ttl default: 1 h). */
  ttlMs?: number;
  /** How often to expire (default a tenth of the TTL, between 1 s and 60 s: Events outlive the TTL by at most that). */
  intervalMs?: number;
  /**
   * With a feed: how often to list every Event anyway (default the TTL, at least a minute), for
   * Events written before this process started and any change the feed missed.
   */
  fullSweepMs?: number;
  now?: () => Date;
  log?: Logger;
}

interface Due {
  at: number;
  namespace: string;
  name: string;
  rv: string;
}

const EVENTS = findResource('', 'events')!;

/**
 * Expires Events like kube-apiserver's --event-ttl, which gives each Event write a lease of the
 * TTL: an Event goes TTL after it was last written. Redis EXPIRE would drop them without a change
 * record (watchers would keep them forever), so the janitor deletes them through the store: every
 * expiry is a DELETED event like any other delete. Several api-servers may expire at once; a
 * delete that lost the race is a 404 (or a 409 when the Event was written again) and is ignored.
 *
 * With a change feed, each Event write (from the feed, without decoding it) sets the Event's
 * expiry, and every `intervalMs` the due ones are deleted: the work is proportional to the Events
 * written, not to those kept. Listing every Event each pass (what it did before) read the whole
 * hour of Events every six minutes. The full sweep remains, once per `fullSweepMs`.
 */
export class EventJanitor {
  private timer?: NodeJS.Timeout;
  private fullTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping = false;
  private expiring = false;
  private readonly ttlMs: number;
  private readonly now: () => Date;
  /** namespace/name → when the Event expires, from its last write seen on the feed. */
  private readonly due = new Map<string, Due>();

  constructor(private readonly o: EventJanitorOptions) {
    this.ttlMs = o.ttlMs ?? 3_600_000;
    this.now = o.now ?? (() => new Date());
  }

  start(): void {
    const every = this.o.intervalMs ?? Math.min(60_000, Math.max(1_000, this.ttlMs / 10));
    const fail = (e: unknown) => this.o.log?.warn({ err: e }, 'event janitor pass failed');
    if (!this.o.feed) {
      this.timer = setInterval(() => void this.sweep().catch(fail), every);
      this.timer.unref();
      return;
    }
    this.unsubscribe = this.o.feed.subscribe(EVENTS, (rec) => this.observe(rec));
    this.timer = setInterval(() => void this.expireDue().catch(fail), every);
    this.timer.unref();
    // The first full sweep finds what was written before this process started.
    const full = setTimeout(() => void this.sweep().catch(fail), every);
    full.unref();
    this.fullTimer = setInterval(() => void this.sweep().catch(fail), this.o.fullSweepMs ?? Math.max(60_000, this.ttlMs));
    this.fullTimer.unref();
    this.timers.push(full);
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.fullTimer);
    for (const t of this.timers) clearTimeout(t);
    this.unsubscribe?.();
  }

  /** How many Events wait for their expiry (tests, metrics). */
  get tracked(): number {
    return this.due.size;
  }

  /** One Event change from the feed: a write (re)starts the Event's TTL, a delete forgets it. */
  observe(rec: ChangeRecord): void {
    const namespace = rec.raw?.namespace ?? rec.object.metadata.namespace ?? '';
    const name = rec.raw?.name ?? rec.object.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    if (rec.type === 'DELETED') {
      this.due.delete(key);
      return;
    }
    this.due.set(key, { at: this.now().getTime() + this.ttlMs, namespace, name, rv: rec.rv });
  }

  /** Delete the Events whose TTL has run out since their last write; returns how many went. */
  async expireDue(): Promise<number> {
    if (this.expiring) return 0;
    this.expiring = true;
    try {
      const nowMs = this.now().getTime();
      const expired: Due[] = [];
      for (const [key, d] of this.due) {
        if (d.at > nowMs) continue;
        expired.push(d);
        this.due.delete(key);
      }
      let deleted = 0;
      for (let i = 0; i < expired.length; i += 500) deleted += await this.deleteAll(expired.slice(i, i + 500));
      if (deleted) this.o.log?.debug({ deleted }, 'expired events');
      return deleted;
    } finally {
      this.expiring = false;
    }
  }

  /**
   * One pass over every Event, page by page, deleting those last seen (lastTimestamp) longer ago
   * than the TTL; returns how many were deleted.
   */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    const cutoff = this.now().getTime() - this.ttlMs;
    let deleted = 0;
    try {
      let cont: string | undefined;
      do {
        const page = await this.o.store.list(EVENTS, { limit: 500, continue: cont });
        cont = page.continue;
        const expired: Due[] = [];
        for (const ev of page.items as Event[]) {
          const seen = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '') || 0;
          if (seen !== 0 && seen <= cutoff) {
            expired.push({ at: seen, namespace: ev.metadata.namespace ?? '', name: ev.metadata.name ?? '', rv: ev.metadata.resourceVersion ?? '' });
          }
        }
        deleted += await this.deleteAll(expired);
      } while (cont);
    } finally {
      this.sweeping = false;
    }
    if (deleted) this.o.log?.debug({ deleted }, 'expired events (full sweep)');
    return deleted;
  }

  /**
   * Delete together (the store pipelines them): one at a time, a busy api-server expired fewer
   * Events per second than a busy cluster records. The resourceVersion guards an Event written
   * again meanwhile (409: its new write starts a new TTL).
   */
  private async deleteAll(list: Due[]): Promise<number> {
    const results = await Promise.allSettled(list.map((d) => this.o.store.delete(EVENTS, d.namespace, d.name, { expectedRv: d.rv })));
    let deleted = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') deleted++;
      else if (!isApiError(r.reason, 404) && !isApiError(r.reason, 409)) throw r.reason;
    }
    return deleted;
  }
}
