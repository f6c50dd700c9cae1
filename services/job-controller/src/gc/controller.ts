import type { KObject } from '@kjobs/api';
import { WorkQueue, runWorkers } from '@kjobs/client';
import type { Shared } from '../shared.js';
import { apiGcControl } from './control.js';
import { gcKey, informerGraph, type GcGraph, type GcKind } from './graph.js';
import { syncGc, type GcSyncContext } from './sync.js';

/** The GC sync's view of the shared caches and the API. */
export function gcSyncContext(s: Shared): GcSyncContext {
  return { graph: informerGraph(s), control: apiGcControl(s.client) };
}

/**
 * The garbage collector's handlers: an object with owners or being deleted is enqueued; an owner
 * being deleted, or gone, enqueues its dependents (they may now be dangling or need finalizing).
 */
export function watchGcGraph(graph: GcGraph, enqueue: (key: string) => void): void {
  const enqueueDependents = (uid: string) => {
    for (const d of graph.dependentsOf(uid)) enqueue(d.key);
  };
  const onObject = (kind: GcKind, o: KObject) => {
    if ((o.metadata.ownerReferences ?? []).length || o.metadata.deletionTimestamp) enqueue(gcKey(kind, o));
    if (o.metadata.deletionTimestamp) enqueueDependents(o.metadata.uid!);
  };
  for (const kind of Object.keys(graph.informers) as GcKind[]) {
    graph.informers[kind].on({ add: (o) => onObject(kind, o), update: (_a, o) => onObject(kind, o), delete: (o) => enqueueDependents(o.metadata.uid!) });
  }
}

/**
 * The garbage collector for the kinds kjobs serves: dependents (Pods, Jobs) whose owners (Jobs,
 * CronJobs, ReplicaSets) are gone are deleted (Background); an owner deleted with Foreground
 * waits for its blocking dependents; one deleted with Orphan has its references removed from
 * its dependents first. Handlers: {@link watchGcGraph}; the sync is sync.ts.
 */
export class GarbageCollector {
  private readonly queue: WorkQueue;
  private readonly context: GcSyncContext;

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 30_000, name: 'garbage_collector_attempt_to_delete', metrics: this.s.queueMetrics });
    this.context = gcSyncContext(s);
  }

  start(): void {
    watchGcGraph(this.context.graph, (key) => this.queue.add(key));
    void runWorkers(this.queue, 4, (k) => syncGc(k, this.context), (k, e) => this.s.log.warn({ object: k, err: e instanceof Error ? e.message : e }, 'gc sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
