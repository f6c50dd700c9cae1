/**
 * The soak's load: Jobs of `completions` pods running `true`, created at a steady pod rate and
 * deleted by the TTL-after-finished controller (`ttlSecondsAfterFinished: 0`). A watch on the
 * namespace counts each Job's outcome (Complete / Failed) and its deletion. At most
 * `maxUnfinished` Jobs are outstanding: when the cluster falls behind the target rate the load
 * waits instead of piling up, so the achieved rate is what the cluster sustained.
 */
import type { Job, WatchEvent } from '@kjobs/api';
import type { HttpClient, WatchHandle } from '@kjobs/client';

export interface JobLoadOptions {
  namespace: string;
  podsPerSecond: number;
  completions: number;
  maxUnfinished: number;
}

/** Counters of the load. */
export interface JobLoadCounts {
  created: number;
  createErrors: number;
  complete: number;
  failed: number;
  deleted: number;
}

export class JobLoad {
  readonly counts: JobLoadCounts = { created: 0, createErrors: 0, complete: 0, failed: 0, deleted: 0 };
  private readonly finished = new Set<string>();
  private seq = 0;
  private stopped = false;
  private ticker?: NodeJS.Timeout;
  private watch?: WatchHandle;
  private lastRv = '0';
  private t0 = 0;
  private creating = 0;
  private closed = false;

  constructor(private readonly api: HttpClient, private readonly o: JobLoadOptions) {}

  /** Pods of Jobs that completed so far. */
  podsDone(): number {
    return this.counts.complete * this.o.completions;
  }

  /** Jobs created and not yet finished. */
  unfinished(): number {
    return this.counts.created - this.counts.complete - this.counts.failed;
  }

  start(): void {
    this.startWatch();
    this.t0 = Date.now();
    this.ticker = setInterval(() => this.tick(), 50);
  }

  /** Stop creating (the watch keeps counting until `close`). */
  stopCreating(): void {
    this.stopped = true;
    clearInterval(this.ticker);
  }

  close(): void {
    this.stopCreating();
    this.closed = true;
    this.watch?.stop();
  }

  private tick(): void {
    const due = Math.floor(((Date.now() - this.t0) / 1000) * (this.o.podsPerSecond / this.o.completions)) - this.counts.created - this.creating;
    const room = this.o.maxUnfinished - this.unfinished() - this.creating;
    for (let i = 0; i < Math.min(due, room, 20); i++) void this.createOne();
  }

  private async createOne(): Promise<void> {
    this.creating++;
    const name = `soak-${String(this.seq++).padStart(7, '0')}`;
    try {
      await this.api.create<Job>('Job', {
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: this.o.namespace },
        spec: {
          completions: this.o.completions, parallelism: this.o.completions, backoffLimit: 6, ttlSecondsAfterFinished: 0,
          template: { spec: { containers: [{ name: 'main', image: 'busybox', command: ['true'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
        },
      });
      this.counts.created++;
    } catch {
      this.counts.createErrors++;
    } finally {
      this.creating--;
    }
  }

  private startWatch(): void {
    if (this.closed) return;
    const w = this.api.watch<Job>('Job', { namespace: this.o.namespace, resourceVersion: this.lastRv }, (ev: WatchEvent<Job>) => this.onEvent(ev));
    this.watch = w;
    // A watch the server ends is resumed from the last revision seen.
    void w.done.then(() => {
      if (!this.closed) setTimeout(() => this.startWatch(), 200);
    });
  }

  private onEvent(ev: WatchEvent<Job>): void {
    const j = ev.object;
    if (j.metadata?.resourceVersion) this.lastRv = j.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    const name = j.metadata.name!;
    if (!this.finished.has(name)) {
      const c = j.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
      if (c) {
        this.finished.add(name);
        if (c.type === 'Complete') this.counts.complete++;
        else this.counts.failed++;
      }
    }
    if (ev.type === 'DELETED') {
      this.counts.deleted++;
      this.finished.delete(name);
    }
  }
}
