import { WorkQueue, runWorkers } from '@kjobs/client';
import type { Shared } from '../shared.js';
import { apiNodeLifecycleControl } from './control.js';
import type { NodeLifecycleTiming } from './decide-node.js';
import { syncNode, type NodeLifecycleSyncContext } from './sync.js';

/** The node lifecycle sync's view of the shared caches and the API. */
export function nodeLifecycleSyncContext(s: Shared, timing: NodeLifecycleTiming): NodeLifecycleSyncContext {
  return {
    node: (name) => s.nodes.get(name),
    lease: (name) => s.nodeLeases.getByName('kube-node-lease', name),
    podsOn: (name) => s.pods.byIndex('node', name),
    control: apiNodeLifecycleControl(s.client, s.recorder('node-controller')),
    now: s.now,
    timing,
  };
}

/**
 * Node lifecycle: a node whose agent stopped heartbeating (Lease in kube-node-lease, or its Ready
 * condition) for the grace period becomes Ready=Unknown and tainted unreachable; after the
 * eviction delay its pods are marked Failed with a DisruptionTarget condition, so their Jobs and
 * ReplicaSets replace them. Node and Lease events enqueue the node's name; the sync (sync.ts)
 * wakes exactly when the next step is due.
 */
export class NodeLifecycleController {
  private readonly queue: WorkQueue;
  private readonly context: NodeLifecycleSyncContext;

  constructor(private readonly s: Shared, timing: NodeLifecycleTiming) {
    this.queue = new WorkQueue({ name: 'node_lifecycle', metrics: this.s.queueMetrics });
    this.context = nodeLifecycleSyncContext(s, timing);
  }

  start(): void {
    this.s.nodes.on({ add: (n) => this.queue.add(n.metadata.name!), update: (_a, n) => this.queue.add(n.metadata.name!), delete: () => undefined });
    this.s.nodeLeases.on({ add: (l) => this.queue.add(l.metadata.name!), update: (_a, l) => this.queue.add(l.metadata.name!), delete: () => undefined });
    void runWorkers(this.queue, 1, (k) => syncNode(k, this.context), (k, e) => this.s.log.warn({ node: k, err: e }, 'node lifecycle sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
