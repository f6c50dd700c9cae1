import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, ReplicaSet } from '@kjobs/api';
import { startControllerBed, type ControllerBed } from '../testing/controller-bed.js';
import { replicaSetSyncContext, watchReplicaSets } from './controller.js';
import { syncReplicaSet, type ReplicaSetSyncContext } from './sync.js';

const KEY = 'default/queue';
const replicaSet = (replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'queue', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'q' } }, template: { metadata: { labels: { app: 'q' } }, spec: { containers: [{ name: 'c', image: 'kuard' }] } } },
});

let bed: ControllerBed;
let c: ReplicaSetSyncContext;
let enqueued: string[];
let events: string[];

beforeEach(async () => {
  bed = await startControllerBed('2026-01-01T00:00:00Z');
  const real = replicaSetSyncContext(bed.shared);
  events = [];
  enqueued = [];
  c = { ...real, control: { ...real.control, recordEvent: (o, type, reason, msg) => (events.push(`${type} ${reason}`), real.control.recordEvent(o, type, reason, msg)) } };
  watchReplicaSets(bed.shared, c.expectations, (key) => enqueued.push(key));
});
afterEach(async () => bed.stop());

const pods = async () => (await bed.client.list<Pod>('Pod', { namespace: 'default' })).items;
const stored = () => bed.client.get<ReplicaSet>('ReplicaSet', 'default', 'queue');

describe('syncReplicaSet against an in-process api-server', () => {
  it('creates the missing replicas once: a sync before its creates are seen does not create again', async () => {
    await bed.client.create('ReplicaSet', replicaSet(3));
    await bed.settle();
    await syncReplicaSet(KEY, c);
    await syncReplicaSet(KEY, c); // the cache may not show the pods yet: the expectations hold it back
    expect(await pods()).toHaveLength(3);
    expect((await pods()).every((p) => p.metadata.ownerReferences?.[0]?.name === 'queue' && p.metadata.labels?.app === 'q')).toBe(true);
    expect(events).toEqual(['Normal SuccessfulCreate', 'Normal SuccessfulCreate', 'Normal SuccessfulCreate']);
    await bed.settle();
    expect(c.expectations.satisfied(KEY)).toBe(true);
    expect(enqueued.filter((k) => k === KEY).length).toBeGreaterThanOrEqual(4); // the ReplicaSet's add and each pod's
    await syncReplicaSet(KEY, c);
    expect(await pods()).toHaveLength(3);
    expect((await stored()).status).toMatchObject({ replicas: 3, readyReplicas: 0, observedGeneration: 1 });
  });

  it('scales down by deleting the extra pods, then reports the new count', async () => {
    await bed.client.create('ReplicaSet', replicaSet(3));
    await bed.settle();
    await syncReplicaSet(KEY, c);
    await bed.settle();
    await bed.client.update('ReplicaSet', { ...(await stored()), spec: { ...replicaSet(1).spec } });
    await bed.settle();
    await syncReplicaSet(KEY, c);
    expect(await pods()).toHaveLength(1);
    expect(events.filter((e) => e === 'Normal SuccessfulDelete')).toHaveLength(2);
    await bed.settle();
    await syncReplicaSet(KEY, c);
    expect((await stored()).status).toMatchObject({ replicas: 1, observedGeneration: 2 });
  });

  it('records status from a copy older than the stored one: reads it afresh and writes once more (no conflict escapes)', async () => {
    await bed.client.create('ReplicaSet', replicaSet(3));
    await bed.settle();
    const stale = c.replicaSet(KEY)!;
    await bed.client.update('ReplicaSet', { ...(await stored()), metadata: { ...(await stored()).metadata, labels: { moved: 'on' } } });
    const written = await c.control.updateStatus({ ...stale, status: { replicas: 2, observedGeneration: 1 } });
    expect(written.status).toMatchObject({ replicas: 2, observedGeneration: 1 });
    expect((await stored()).metadata.labels).toEqual({ moved: 'on' });
    expect((await stored()).status).toMatchObject({ replicas: 2 });
  });

  it('a ReplicaSet gone from the cache is not synced', async () => {
    await syncReplicaSet(KEY, c);
    expect(await pods()).toEqual([]);
  });
});
