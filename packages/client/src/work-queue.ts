/** Options of a WorkQueue (client-go's default controller rate limiter). */
export interface WorkQueueOptions {
  /** Per-item failure backoff base (default 5 ms) and cap (default 1000 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The queue's name in its metrics (client-go's `name` label; default "unnamed"). */
  name?: string;
  /** Where the queue reports (default: nowhere, and nothing is timed). */
  metrics?: WorkQueueMetricsProvider;
}

/** What a controller's result was, as controller-runtime labels it. */
export type SyncResult = 'success' | 'error' | 'requeue_after';

/**
 * What one WorkQueue reports (client-go's workqueue metrics, per queue). Called on every add
 * and sync, so implementations must be cheap: counters and histograms, no per-key labels.
 */
export interface WorkQueueMetrics {
  /** A key entered the queue (an add of a key already queued is not counted). */
  added(): void;
  /** A worker took a key that waited `queuedSeconds` since it was added. */
  taken(queuedSeconds: number): void;
  /** A worker's sync of a key took `seconds` and ended with `result`. */
  synced(seconds: number, result: SyncResult): void;
  /** A key was re-added with backoff after a failed sync. */
  retried(): void;
}

/** Makes the metrics of each named queue; `depth` is read when the metrics are scraped. */
export interface WorkQueueMetricsProvider {
  forQueue(name: string, depth: () => number): WorkQueueMetrics;
}

/**
 * A deduplicating work queue of keys: a key is queued at most once and is never processed by two
 * workers at once (an add while processing re-queues it after `done`). Failed keys come back with
 * per-item exponential backoff.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; t: NodeJS.Timeout }>();
  private readonly waiters: ((k: string | undefined) => void)[] = [];
  private shut = false;
  /** This queue's metrics, if any; `addedAt` times keys from add to take only then. */
  readonly metrics: WorkQueueMetrics | undefined;
  private readonly addedAt = new Map<string, number>();

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.metrics = opts.metrics?.forQueue(opts.name ?? 'unnamed', () => this.queue.length);
  }

  add(key: string): void {
    if (this.shut || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.metrics) {
      this.metrics.added();
      this.addedAt.set(key, performance.now());
    }
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Hand a dirty key to a waiting worker, else queue it (it stays dirty until taken). */
  private enqueue(key: string): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.take(key);
      w(key);
    } else {
      this.queue.push(key);
    }
  }

  private take(key: string): void {
    this.processing.add(key);
    if (!this.metrics) return;
    const at = this.addedAt.get(key);
    this.addedAt.delete(key);
    this.metrics.taken(at === undefined ? 0 : (performance.now() - at) / 1000);
  }

  /** Add after a delay; an earlier pending delay for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shut) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const cur = this.timers.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.t);
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    t.unref?.();
    this.timers.set(key, { at, t });
  }

  /** Re-add after this key's next backoff step. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.metrics?.retried();
    this.addAfter(key, Math.min((this.opts.baseDelayMs ?? 5) * 2 ** n, this.opts.maxDelayMs ?? 1_000_000));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Next key to process (waits); undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shut) return Promise.resolve(undefined);
    const k = this.queue.shift();
    if (k !== undefined) {
      this.dirty.delete(k);
      this.take(k);
      return Promise.resolve(k);
    }
    return new Promise((r) => this.waiters.push(r));
  }

  /** Mark a key processed; re-queues it if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shut) this.enqueue(key);
  }

  get length(): number {
    return this.queue.length;
  }

  shutdown(): void {
    this.shut = true;
    this.addedAt.clear();
    for (const { t } of this.timers.values()) clearTimeout(t);
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/**
 * Run `workers` loops that take keys and call `sync`. `sync` returns an optional requeue delay;
 * a throw requeues with backoff (a 409 Conflict lands here: the next sync re-reads the cache).
 * With queue metrics, each sync's duration and result are reported (timed only then).
 */
export function runWorkers(queue: WorkQueue, workers: number, sync: (key: string) => Promise<{ requeueAfterMs?: number } | void>, onError?: (key: string, e: unknown) => void): Promise<void[]> {
  const loops: Promise<void>[] = [];
  for (let i = 0; i < workers; i++) {
    loops.push((async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        const m = queue.metrics;
        const t0 = m ? performance.now() : 0;
        try {
          const r = await sync(key);
          queue.forget(key);
          if (r && r.requeueAfterMs !== undefined) queue.addAfter(key, r.requeueAfterMs);
          m?.synced((performance.now() - t0) / 1000, r && r.requeueAfterMs !== undefined ? 'requeue_after' : 'success');
        } catch (e) {
          m?.synced((performance.now() - t0) / 1000, 'error');
          onError?.(key, e);
          queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    })());
  }
  return Promise.all(loops);
}
