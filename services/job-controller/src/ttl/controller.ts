import type { Job } from '@kjobs/api';
import { WorkQueue, keyOf, runWorkers } from '@kjobs/client';
import type { Shared } from '../shared.js';
import { apiTtlControl } from './control.js';
import { syncTtl, type TtlSyncContext } from './sync.js';

/** The TTL sync's view of the shared Job cache and the API. */
export function ttlSyncContext(s: Shared): TtlSyncContext {
  return { job: (key) => s.jobs.get(key), control: apiTtlControl(s.client), now: s.now };
}

/**
 * TTL-after-finished: deletes a finished Job `ttlSecondsAfterFinished` after it finished. Events
 * of Jobs with a TTL enqueue their key; the sync (sync.ts) wakes itself when the TTL expires.
 */
export class TtlController {
  private readonly queue: WorkQueue;
  private readonly context: TtlSyncContext;

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 60_000, name: 'ttl_jobs_to_delete', metrics: this.s.queueMetrics });
    this.context = ttlSyncContext(s);
  }

  start(): void {
    const enqueue = (j: Job) => {
      if (j.spec.ttlSecondsAfterFinished !== undefined) this.queue.add(keyOf(j));
    };
    this.s.jobs.on({ add: enqueue, update: (_a, j) => enqueue(j), delete: () => undefined });
    void runWorkers(this.queue, 2, (k) => syncTtl(k, this.context), (k, e) => this.s.log.warn({ job: k, err: e }, 'ttl sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
