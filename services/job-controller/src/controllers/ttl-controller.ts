import { isApiError, type Job } from '@kjobs/api';
import { WorkQueue, keyOf, runWorkers } from '@kjobs/client';
import { decideTtl } from '../job/ttl.js';
import type { Shared } from '../shared.js';

/** TTL-after-finished: deletes a finished Job `ttlSecondsAfterFinished` after it finished (re-checked uncached first). */
export class TtlController {
  private readonly queue: WorkQueue;

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 60_000, name: 'ttl_jobs_to_delete', metrics: this.s.queueMetrics });
  }

  start(): void {
    this.s.jobs.on({ add: (j) => this.enqueue(j), update: (_a, j) => this.enqueue(j), delete: () => undefined });
    void runWorkers(this.queue, 2, (k) => this.sync(k), (k, e) => this.s.log.warn({ job: k, err: e }, 'ttl sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private enqueue(j: Job): void {
    if (j.spec.ttlSecondsAfterFinished !== undefined) this.queue.add(keyOf(j));
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const cached = this.s.jobs.get(key);
    if (!cached) return;
    const d = decideTtl(cached, this.s.now());
    if (d.kind === 'wait') return { requeueAfterMs: d.afterMs };
    if (d.kind !== 'delete') return;
    // The TTL is mutable: decide again on a fresh read before deleting.
    let fresh: Job;
    try {
      fresh = await this.s.client.get<Job>('Job', cached.metadata.namespace!, cached.metadata.name!);
    } catch (e) {
      if (isApiError(e, 404)) return;
      throw e;
    }
    const again = decideTtl(fresh, this.s.now());
    if (again.kind === 'wait') return { requeueAfterMs: again.afterMs };
    if (again.kind !== 'delete') return;
    try {
      await this.s.client.delete('Job', fresh.metadata.namespace!, fresh.metadata.name!, { propagationPolicy: again.propagationPolicy, preconditions: again.preconditions });
    } catch (e) {
      if (!isApiError(e, 404) && !isApiError(e, 409)) throw e;
    }
  }
}
