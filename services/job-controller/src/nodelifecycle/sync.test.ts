import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lease, Node, Pod } from '@kjobs/api';
import { startControllerBed, type ControllerBed } from '../testing/controller-bed.js';
import { nodeLifecycleSyncContext } from './controller.js';
import { syncNode } from './sync.js';

const T0 = '2026-01-01T00:00:00Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000);
const timing = { gracePeriodMs: 50_000, podEvictionDelayMs: 10_000 };

let bed: ControllerBed;
beforeEach(async () => {
  bed = await startControllerBed(T0);
});
afterEach(async () => bed.stop());

/** Node n1, Ready with a heartbeat at T0, its Lease renewed at T0, and a Running pod bound to it. */
async function nodeWithPod(): Promise<void> {
  await bed.client.create<Node>('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} } as Node);
  const node = await bed.client.get<Node>('Node', '', 'n1');
  await bed.client.update<Node>('Node', { ...node, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: T0, lastTransitionTime: T0 }] } }, { subresource: 'status' });
  await bed.client.create<Lease>('Lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', renewTime: '2026-01-01T00:00:00.000000Z' } });
  const p = await bed.client.create<Pod>('Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
  await bed.client.update<Pod>('Pod', { ...p, status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: true, restartCount: 0, lastState: {}, state: { running: { startedAt: T0 } } }] } }, { subresource: 'status' });
  await bed.settle();
}

async function syncAt(seconds: number) {
  await bed.settle();
  bed.clock.set(at(seconds));
  return syncNode('n1', nodeLifecycleSyncContext(bed.shared, timing));
}

const node = () => bed.client.get<Node>('Node', '', 'n1');
const pod = () => bed.client.get<Pod>('Pod', 'default', 'p');

describe('syncNode against an in-process api-server', () => {
  it('a heartbeating node is left alone until its grace period would end', async () => {
    await nodeWithPod();
    expect(await syncAt(20)).toEqual({ requeueAfterMs: 30_100 });
    expect((await node()).status?.conditions?.[0]?.status).toBe('True');
    expect((await node()).spec?.taints ?? []).toEqual([]);
  });

  it('a silent node becomes Ready=Unknown and tainted unreachable, then its pods fail', async () => {
    await nodeWithPod();
    expect(await syncAt(51)).toEqual({ requeueAfterMs: 9_100 });
    const lost = await node();
    expect(lost.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: '2026-01-01T00:00:51Z' });
    expect(lost.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect((await pod()).status?.phase).toBe('Running');

    expect(await syncAt(61)).toEqual({ requeueAfterMs: 5_000 });
    const failed = await pod();
    expect(failed.status).toMatchObject({ phase: 'Failed', reason: 'NodeLost' });
    expect(failed.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    expect(failed.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'ContainerStatusUnknown' });
    expect((await node()).metadata.resourceVersion).toBe(lost.metadata.resourceVersion); // marked once
  });
});
