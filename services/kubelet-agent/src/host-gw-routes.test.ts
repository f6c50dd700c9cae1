import { describe, expect, it } from 'vitest';
import type { Node } from '@kjobs/api';
import { peerRoutes } from './host-gw-routes.js';

const node = (name: string, podCIDR?: string, ip?: string): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  spec: podCIDR ? { podCIDR } : {},
  status: ip ? { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] } : {},
} as Node);

describe('peerRoutes', () => {
  it.each([
    ['every other node with a pod CIDR and a routable address, sorted', [node('b', '10.244.1.0/24', '192.168.77.11'), node('a', '10.244.0.0/24', '192.168.77.10'), node('c', '10.244.2.0/24', '192.168.77.12')], 'a',
      [{ podCIDR: '10.244.1.0/24', nodeIP: '192.168.77.11' }, { podCIDR: '10.244.2.0/24', nodeIP: '192.168.77.12' }]],
    ['not a node without a pod CIDR yet', [node('b', undefined, '192.168.77.11')], 'a', []],
    ['not a node without an InternalIP', [node('b', '10.244.1.0/24')], 'a', []],
    ['not a node on loopback (a machine-local node: its fabric routes it)', [node('b', '10.244.1.0/24', '127.0.0.1')], 'a', []],
    ['not itself', [node('a', '10.244.0.0/24', '192.168.77.10')], 'a', []],
  ])('%s', (_what, nodes, self, want) => {
    expect(peerRoutes(nodes, self)).toEqual(want);
  });
});
