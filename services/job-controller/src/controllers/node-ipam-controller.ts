import { isApiError, type Node } from '@kjobs/api';
import { WorkQueue, runWorkers } from '@kjobs/client';
import { type CidrSetOptions, nextFreeCidr, validateCidrSet } from '../nodeipam/cidr-set.js';
import type { Shared } from '../shared.js';

/**
 * Node IPAM (kube-controller-manager's range allocator): every Node gets a `spec.podCIDR` (and
 * `podCIDRs`) of its own from the cluster CIDR. The kubelet-agent builds the node's pod network
 * on it. A pod CIDR, once set, never changes.
 */
export class NodeIpamController {
  private readonly queue: WorkQueue;
  /**
   * CIDRs given by this controller that the cache may not show yet. Why: two nodes synced before
   * the first write comes back through the informer would otherwise get the same CIDR.
   */
  private readonly assigned = new Map<string, string>();

  constructor(private readonly s: Shared, private readonly o: CidrSetOptions) {
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000, name: 'node_ipam', metrics: this.s.queueMetrics });
    validateCidrSet(o);
  }

  start(): void {
    this.s.nodes.on({ add: (n) => this.queue.add(n.metadata.name!), update: (_a, n) => this.queue.add(n.metadata.name!), delete: (n) => this.assigned.delete(n.metadata.name!) });
    void runWorkers(this.queue, 1, (k) => this.sync(k), (k, e) => this.s.log.warn({ node: k, err: e }, 'node ipam sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const node = this.s.nodes.get(name);
    if (!node || node.spec?.podCIDR) {
      if (node?.spec?.podCIDR === this.assigned.get(name)) this.assigned.delete(name);
      return;
    }
    const used = new Set<string>(this.assigned.values());
    for (const n of this.s.nodes.list()) if (n.spec?.podCIDR) used.add(n.spec.podCIDR);
    const cidr = this.assigned.get(name) ?? nextFreeCidr(this.o, used);
    if (!cidr) {
      this.s.recorder('cidrAllocator').record(nodeRef(node), 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      return { requeueAfterMs: 30_000 };
    }
    this.assigned.set(name, cidr);
    try {
      await this.s.client.update<Node>('Node', { ...node, spec: { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] } as Node['spec'] });
      this.s.log.info({ node: name, podCIDR: cidr }, 'node pod CIDR assigned');
    } catch (e) {
      if (isApiError(e, 404)) {
        this.assigned.delete(name);
        return;
      }
      // 409: the node changed; its next event syncs it again with the same CIDR.
      if (!isApiError(e, 409)) throw e;
      return { requeueAfterMs: 200 };
    }
  }
}

function nodeRef(n: Node): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: n.metadata.name!, uid: n.metadata.uid ?? n.metadata.name! } } as Node;
}
