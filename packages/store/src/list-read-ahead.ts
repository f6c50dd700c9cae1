import type { StoreJsonListResult } from './store.js';

/** Bounds of a store's list read-ahead (RedisStoreOptions.listReadAhead). */
export interface ListReadAheadOptions {
  /** Most pages read ahead at once (read or being read). */
  pages: number;
  /** Most bytes of stored JSON the pages read ahead hold together; a page that would go over is dropped. */
  bytes: number;
  /** How long a page read ahead waits for its request, ms; then it is dropped. */
  ttlMs: number;
  /**
   * After a page of a kind went stale (a write to the kind since it was read), how long that kind
   * is not read ahead, ms: under steady writes a read-ahead costs a page read and serves nothing.
   */
  staleBackoffMs: number;
}

/** A page read ahead: the list's next page, and the kind's last revision (`{p}:last:<res>`) read just before it. */
export interface ReadAheadPage {
  page: StoreJsonListResult;
  last: string;
}

interface Entry {
  read: Promise<ReadAheadPage | undefined>;
  bytes: number;
  timer: NodeJS.Timeout;
}

/** What the read-ahead did so far (tests; a metric could read it). */
export interface ReadAheadCounts {
  /** Pages started. */
  started: number;
  /** Pages answered from the read-ahead. */
  served: number;
  /** Pages taken but not answered: a write to the kind since, the read failed, or its token expired. */
  stale: number;
  /** Pages dropped unused: expired, over the byte bound, or not started (no room). */
  dropped: number;
}

/**
 * The pages a store reads ahead of a paged list's client: once a page is answered with a continue
 * token, the next page is read at once, keyed by the request that will ask for it, so the client's
 * next request finds it read (or being read) while it was parsing the previous one. Bounded in
 * pages, bytes and time; each page is taken once. Whether a page taken may be answered is the
 * store's decision (RedisStore.listJson: only when the kind had no write since it was read).
 */
export class ListReadAhead {
  readonly counts: ReadAheadCounts = { started: 0, served: 0, stale: 0, dropped: 0 };
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Kinds not read ahead until then (ms, `now`), after a page of theirs went stale. */
  private readonly backoff = new Map<string, number>();

  constructor(private readonly opts: ListReadAheadOptions, private readonly now: () => number = Date.now) {
    for (const [k, v] of Object.entries(opts)) {
      const min = k === 'staleBackoffMs' ? 0 : 1;
      if (!(Number.isInteger(v) && v >= min)) throw new Error(`listReadAhead.${k} must be an integer >= ${min}, got ${v}`);
    }
  }

  /** Pages held or being read now, and the bytes of those read. */
  get size(): { pages: number; bytes: number } {
    return { pages: this.entries.size, bytes: this.bytes };
  }

  /**
   * Start reading the page `key` names (a list of `kind`) with `read`, unless it is already held,
   * the kind is backing off, or the bounds leave no room.
   */
  offer(kind: string, key: string, read: () => Promise<ReadAheadPage>): void {
    if (this.entries.has(key)) return;
    const until = this.backoff.get(kind);
    if (until !== undefined && this.now() < until) return;
    if (until !== undefined) this.backoff.delete(kind);
    if (this.entries.size >= this.opts.pages || this.bytes >= this.opts.bytes) {
      this.counts.dropped++;
      return;
    }
    const entry: Entry = {
      bytes: 0,
      timer: setTimeout(() => this.drop(key, entry), this.opts.ttlMs).unref(),
      read: read().then(
        (r) => {
          const bytes = r.page.items.reduce((n, s) => n + s.body.length + s.rv.length, 0);
          if (this.entries.get(key) !== entry) return r; // taken while being read: the taker decides
          if (this.bytes + bytes > this.opts.bytes) {
            this.drop(key, entry);
            return undefined;
          }
          entry.bytes = bytes;
          this.bytes += bytes;
          return r;
        },
        () => undefined, // the request reads afresh and gets the error itself
      ),
    };
    this.entries.set(key, entry);
    this.counts.started++;
  }

  /** The page `key` names, removed from the read-ahead (waits while it is being read); undefined when none. */
  async take(key: string): Promise<ReadAheadPage | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.remove(key, entry);
    return entry.read;
  }

  /** Count a page of `kind` taken: answered, or not (then the request read afresh, and the kind backs off). */
  note(kind: string, served: boolean): void {
    if (served) {
      this.counts.served++;
      return;
    }
    this.counts.stale++;
    this.backoff.set(kind, this.now() + this.opts.staleBackoffMs);
  }

  /** Drop every page (the store closes). */
  clear(): void {
    for (const [key, entry] of this.entries) this.remove(key, entry);
    this.backoff.clear();
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.remove(key, entry);
    this.counts.dropped++;
  }

  private remove(key: string, entry: Entry): void {
    clearTimeout(entry.timer);
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/** The api-server's bounds (KJOBS_LIST_READAHEAD): 16 list sessions at once, 32 MiB, 5 s; 1 s without after a stale page. */
export const DEFAULT_LIST_READ_AHEAD: ListReadAheadOptions = { pages: 16, bytes: 32 * 1024 * 1024, ttlMs: 5000, staleBackoffMs: 1000 };
