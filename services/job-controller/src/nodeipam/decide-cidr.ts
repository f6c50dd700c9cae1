/**
 * Which pod CIDR a node gets (kube-controller-manager's range allocator `AllocateOrOccupyCIDR`),
 * as a pure function of the node, every cached node and the CIDRs this controller gave that the
 * cache may not show yet.
 */
import type { Node } from '@kjobs/api';
import { nextFreeCidr, type CidrSetOptions } from './cidr-set.js';

/** What to do for one node. */
export type CidrDecision =
  /** It has its pod CIDR; `forget`: it is the one we gave, so the cache now shows it. */
  | { kind: 'done'; forget: boolean }
  /** Give it this CIDR (the one given before, if a write is still unseen or failed). */
  | { kind: 'assign'; cidr: string }
  /** Every CIDR of the cluster CIDR is taken. */
  | { kind: 'full' };

/**
 * Decide for `node`: 1. it has a pod CIDR (which never changes) → done; 2. the CIDR given to it
 * before, if any; 3. else the lowest CIDR neither a cached node nor an unseen write holds;
 * 4. none → full.
 */
export function decideNodeCidr(node: Node, nodes: readonly Node[], assigned: ReadonlyMap<string, string>, o: CidrSetOptions): CidrDecision {
  const name = node.metadata.name!;
  if (node.spec?.podCIDR) return { kind: 'done', forget: node.spec.podCIDR === assigned.get(name) };
  const given = assigned.get(name);
  if (given) return { kind: 'assign', cidr: given };
  const used = new Set<string>(assigned.values());
  for (const n of nodes) if (n.spec?.podCIDR) used.add(n.spec.podCIDR);
  const cidr = nextFreeCidr(o, used);
  return cidr ? { kind: 'assign', cidr } : { kind: 'full' };
}
