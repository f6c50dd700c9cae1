/** The narrow interface the node IPAM sync writes through, and its implementation over the API. */
import type { Node } from '@kjobs/api';
import type { ApiClient, EventRecorder } from '@kjobs/client';
import type { Logger } from 'pino';

/** Every write of the node IPAM sync. API failures throw ApiError (@kjobs/api). */
export interface NodeIpamControl {
  /** PUT the node with spec.podCIDR and spec.podCIDRs set to `cidr` (resourceVersion as read). */
  setPodCIDR(node: Node, cidr: string): Promise<void>;
  /** Record the CIDRNotAvailable event on the node (source `cidrAllocator`). */
  recordCidrNotAvailable(node: Node): void;
}

/** The node IPAM control over the API (`client`), the cidrAllocator's recorder and the log. */
export function apiNodeIpamControl(client: ApiClient, recorder: EventRecorder, log: Logger): NodeIpamControl {
  return {
    setPodCIDR: async (node, cidr) => {
      await client.update<Node>('Node', { ...node, spec: { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] } as Node['spec'] });
      log.info({ node: node.metadata.name, podCIDR: cidr }, 'node pod CIDR assigned');
    },
    recordCidrNotAvailable: (node) => {
      const name = node.metadata.name!;
      const ref = { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: node.metadata.uid ?? name } } as Node;
      recorder.record(ref, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
    },
  };
}
