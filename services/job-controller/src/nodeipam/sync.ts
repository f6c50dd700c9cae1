/**
 * `syncNodeCidr` (kube-controller-manager's range allocator, for one node): guard, decide
 * (decide-cidr.ts), remember the CIDR given, write it through {@link NodeIpamControl}.
 */
import { isApiError, type Node } from '@kjobs/api';
import type { CidrSetOptions } from './cidr-set.js';
import type { NodeIpamControl } from './control.js';
import { decideNodeCidr } from './decide-cidr.js';

/** What a node IPAM sync reads and writes through. */
export interface NodeIpamSyncContext {
  /** The Node by name, from the cache. */
  node(name: string): Node | undefined;
  /** Every cached Node. */
  nodes(): Node[];
  /**
   * CIDRs given by this controller that the cache may not show yet, by node name. Why: two nodes
   * synced before the first write comes back through the informer would otherwise get the same CIDR.
   */
  assigned: Map<string, string>;
  cidrs: CidrSetOptions;
  control: NodeIpamControl;
}

/**
 * Sync one node. Does:
 * 1. guard: gone from the cache → nothing; 2. decide;
 * 3. has its CIDR → done (forgetting the one we gave once the cache shows it); none free →
 *    CIDRNotAvailable, look again in 30 s;
 * 4. remember the CIDR, then write it: the node gone → forget it; a Conflict → its next event (or
 *    the requeue) syncs it again with the same CIDR.
 */
export async function syncNodeCidr(name: string, c: NodeIpamSyncContext): Promise<{ requeueAfterMs?: number } | void> {
  const node = c.node(name);
  if (!node) return;

  const d = decideNodeCidr(node, c.nodes(), c.assigned, c.cidrs);

  if (d.kind === 'done') {
    if (d.forget) c.assigned.delete(name);
    return;
  }
  if (d.kind === 'full') {
    c.control.recordCidrNotAvailable(node);
    return { requeueAfterMs: 30_000 };
  }
  c.assigned.set(name, d.cidr);
  try {
    await c.control.setPodCIDR(node, d.cidr);
  } catch (e) {
    if (isApiError(e, 404)) {
      c.assigned.delete(name);
      return;
    }
    if (!isApiError(e, 409)) throw e;
    return { requeueAfterMs: 200 };
  }
}
