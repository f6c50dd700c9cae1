import { WorkQueue, runWorkers } from '@kjobs/client';
import type { Shared } from '../shared.js';
import { validateCidrSet, type CidrSetOptions } from './cidr-set.js';
import { apiNodeIpamControl } from './control.js';
import { syncNodeCidr, type NodeIpamSyncContext } from './sync.js';

/** The node IPAM sync's view of the shared Node cache and the API, with nothing assigned yet. */
export function nodeIpamSyncContext(s: Shared, cidrs: CidrSetOptions): NodeIpamSyncContext {
  return {
    node: (name) => s.nodes.get(name),
    nodes: () => s.nodes.list(),
    assigned: new Map(),
    cidrs,
    control: apiNodeIpamControl(s.client, s.recorder('cidrAllocator'), s.log),
  };
}

/**
 * Node IPAM (kube-controller-manager's range allocator): every Node gets a `spec.podCIDR` (and
 * `podCIDRs`) of its own from the cluster CIDR. The kubelet-agent builds the node's pod network
 * on it. A pod CIDR, once set, never changes. Node events enqueue the node's name; the sync is
 * sync.ts.
 */
export class NodeIpamController {
  private readonly queue: WorkQueue;
  private readonly context: NodeIpamSyncContext;

  constructor(private readonly s: Shared, o: CidrSetOptions) {
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000, name: 'node_ipam', metrics: this.s.queueMetrics });
    validateCidrSet(o);
    this.context = nodeIpamSyncContext(s, o);
  }

  start(): void {
    const { assigned } = this.context;
    this.s.nodes.on({ add: (n) => this.queue.add(n.metadata.name!), update: (_a, n) => this.queue.add(n.metadata.name!), delete: (n) => assigned.delete(n.metadata.name!) });
    void runWorkers(this.queue, 1, (k) => syncNodeCidr(k, this.context), (k, e) => this.s.log.warn({ node: k, err: e }, 'node ipam sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
