import { describe, expect, it } from 'vitest';
import type { Node } from '@kjobs/api';
import { decideNodeCidr } from './decide-cidr.js';

const o = { clusterCIDR: '10.0.0.0/23', nodeMaskSize: 24 };
const node = (name: string, podCIDR?: string): Node => ({ metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} } as Node);

describe('decideNodeCidr', () => {
  it.each([
    ['a node with a pod CIDR keeps it', node('a', '10.0.1.0/24'), [], [], { kind: 'done', forget: false }],
    ['the CIDR we gave is now cached: forget it', node('a', '10.0.1.0/24'), [], [['a', '10.0.1.0/24']], { kind: 'done', forget: true }],
    ['a new node gets the lowest free CIDR', node('a'), [node('a')], [], { kind: 'assign', cidr: '10.0.0.0/24' }],
    ['CIDRs of cached nodes are taken', node('b'), [node('a', '10.0.0.0/24'), node('b')], [], { kind: 'assign', cidr: '10.0.1.0/24' }],
    ['a CIDR given but not yet cached is taken (two nodes never share one)', node('b'), [node('a'), node('b')], [['a', '10.0.0.0/24']], { kind: 'assign', cidr: '10.0.1.0/24' }],
    ['a node whose write is unseen gets the same CIDR again', node('a'), [node('a')], [['a', '10.0.1.0/24']], { kind: 'assign', cidr: '10.0.1.0/24' }],
    ['every CIDR taken', node('c'), [node('a', '10.0.0.0/24'), node('b', '10.0.1.0/24'), node('c')], [], { kind: 'full' }],
  ] as const)('%s', (_n, n, nodes, assigned, want) => {
    expect(decideNodeCidr(n, nodes, new Map(assigned), o)).toEqual(want);
  });
});
