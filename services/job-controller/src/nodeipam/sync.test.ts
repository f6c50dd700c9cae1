import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '@kjobs/api';
import { startControllerBed, type ControllerBed } from '../testing/controller-bed.js';
import { nodeIpamSyncContext } from './controller.js';
import { syncNodeCidr, type NodeIpamSyncContext } from './sync.js';

let bed: ControllerBed;
let c: NodeIpamSyncContext;
let notAvailable: string[];
beforeEach(async () => {
  bed = await startControllerBed('2026-01-01T00:00:00Z');
  const real = nodeIpamSyncContext(bed.shared, { clusterCIDR: '10.0.0.0/23', nodeMaskSize: 24 });
  notAvailable = [];
  c = { ...real, control: { ...real.control, recordCidrNotAvailable: (n) => (notAvailable.push(n.metadata.name!), real.control.recordCidrNotAvailable(n)) } };
});
afterEach(async () => bed.stop());

const createNodes = async (...names: string[]) => {
  for (const name of names) await bed.client.create<Node>('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} } as Node);
  await bed.settle();
};
const podCIDR = async (name: string) => (await bed.client.get<Node>('Node', '', name)).spec?.podCIDR;

describe('syncNodeCidr against an in-process api-server', () => {
  it('gives two nodes synced before the cache shows the first write different CIDRs', async () => {
    await createNodes('a', 'b');
    await syncNodeCidr('a', c);
    await syncNodeCidr('b', c);
    expect([await podCIDR('a'), await podCIDR('b')]).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(((await bed.client.get<Node>('Node', '', 'a')).spec as { podCIDRs?: string[] }).podCIDRs).toEqual(['10.0.0.0/24']);
    await bed.settle();
    const rv = (await bed.client.get<Node>('Node', '', 'a')).metadata.resourceVersion;
    await syncNodeCidr('a', c); // a pod CIDR, once set, never changes
    expect((await bed.client.get<Node>('Node', '', 'a')).metadata.resourceVersion).toBe(rv);
    expect(c.assigned.has('a')).toBe(false);
  });

  it('with every CIDR taken: CIDRNotAvailable, and a look again in 30 s', async () => {
    await createNodes('a', 'b', 'c');
    await syncNodeCidr('a', c);
    await syncNodeCidr('b', c);
    expect(await syncNodeCidr('c', c)).toEqual({ requeueAfterMs: 30_000 });
    expect(await podCIDR('c')).toBeUndefined();
    expect(notAvailable).toEqual(['c']);
  });
});
