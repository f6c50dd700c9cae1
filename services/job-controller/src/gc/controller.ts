import type { KObject } from '@kjobs/api';
import { WorkQueue, runWorkers } from '@kjobs/client';
import type { Shared } from '../shared.js';
import { apiGcControl } from './control.js';
import { gcKey, informerGraph, type GcKind } from './graph.js';
import { syncGc, type GcSyncContext } from './sync.js';

/** The GC sync's view of the shared caches and the API. */
export function gcSyncContext(s: Shared): GcSyncContext {
  return { graph: informerGraph(s), control: apiGcControl(s.client) };
}

/**
 * The garbage collector for the kinds kjobs serves: dependents (Pods, Jobs) whose owners (Jobs,
 * CronJobs, ReplicaSets) are gone are deleted (Background); an owner deleted with Foreground
 * waits for its blocking dependents; one deleted with Orphan has its references removed from
 * its dependents first. Events of objects with owners or being deleted enqueue them, and an owner's
 * deletion (or its deletionTimestamp) enqueues its dependents; the sync is sync.ts.
 */
export class GarbageCollector {
  private readonly queue: WorkQueue;
  private readonly context: GcSyncContext;

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 30_000, name: 'garbage_collector_attempt_to_delete', metrics: this.s.queueMetrics });
    this.context = gcSyncContext(s);
  }

  start(): void {
    const { graph } = this.context;
    const enqueueDependents = (uid: string) => {
      for (const d of graph.dependentsOf(uid)) this.queue.add(d.key);
    };
    const onObject = (kind: GcKind, o: KObject) => {
      if ((o.metadata.ownerReferences ?? []).length || o.metadata.deletionTimestamp) this.queue.add(gcKey(kind, o));
      if (o.metadata.deletionTimestamp) enqueueDependents(o.metadata.uid!);
    };
    for (const kind of Object.keys(graph.informers) as GcKind[]) {
      graph.informers[kind].on({
        add: (o) => onObject(kind, o),
        update: (_a, o) => onObject(kind, o),
        // Its dependents may now be dangling.
        delete: (o) => enqueueDependents(o.metadata.uid!),
      });
    }
    void runWorkers(this.queue, 4, (k) => syncGc(k, this.context), (k, e) => this.s.log.warn({ object: k, err: e instanceof Error ? e.message : e }, 'gc sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
