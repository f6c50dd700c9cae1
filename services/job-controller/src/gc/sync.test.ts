import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isApiError, type Job, type OwnerReference, type Pod } from '@kjobs/api';
import { startControllerBed, type ControllerBed } from '../testing/controller-bed.js';
import { gcSyncContext, watchGcGraph } from './controller.js';
import { syncGc } from './sync.js';

let bed: ControllerBed;
beforeEach(async () => {
  bed = await startControllerBed('2026-01-01T00:00:00Z');
});
afterEach(async () => bed.stop());

const ref = (name: string, uid: string): OwnerReference => ({ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true });
const pod = (name: string, refs: OwnerReference[]): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: refs }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
});
const job = (name: string): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
});

async function exists(kind: string, name: string): Promise<boolean> {
  try {
    await bed.client.get(kind, 'default', name);
    return true;
  } catch (e) {
    if (isApiError(e, 404)) return false;
    throw e;
  }
}

/** Sync `key` on caches that have seen every earlier write. */
async function sync(key: string) {
  await bed.settle();
  return syncGc(key, gcSyncContext(bed.shared));
}

describe('syncGc against an in-process api-server', () => {
  it('deletes a pod whose owner is gone (Background)', async () => {
    await bed.client.create('Pod', pod('p', [ref('gone', 'no-such-uid')]));
    await sync('Pod/default/p');
    expect(await exists('Pod', 'p')).toBe(false);
  });

  it('keeps a pod with an owner, dropping only its reference to a dangling one', async () => {
    const owner = await bed.client.create<Job>('Job', job('j'));
    await bed.client.create('Pod', pod('p', [ref('j', owner.metadata.uid!), { ...ref('gone', 'no-such-uid'), controller: false }]));
    await sync('Pod/default/p');
    expect((await bed.client.get<Pod>('Pod', 'default', 'p')).metadata.ownerReferences?.map((r) => r.uid)).toEqual([owner.metadata.uid]);
  });

  it('Foreground: deletes the dependents, waits for them, then removes the finalizer', async () => {
    const owner = await bed.client.create<Job>('Job', job('j'));
    await bed.client.create('Pod', pod('p', [ref('j', owner.metadata.uid!)]));
    await bed.client.delete('Job', 'default', 'j', { propagationPolicy: 'Foreground' });
    expect(await sync('Job/default/j')).toEqual({ requeueAfterMs: 500 }); // p blocked the owner when read
    expect(await exists('Pod', 'p')).toBe(false);
    expect(await exists('Job', 'j')).toBe(true);
    expect(await sync('Job/default/j')).toBeUndefined();
    expect(await exists('Job', 'j')).toBe(false);
  });

  it('Orphan: removes the owner reference from the dependents, then the finalizer; the dependents stay', async () => {
    const owner = await bed.client.create<Job>('Job', job('j'));
    await bed.client.create('Pod', pod('p', [ref('j', owner.metadata.uid!)]));
    await bed.client.delete('Job', 'default', 'j', { propagationPolicy: 'Orphan' });
    expect(await sync('Job/default/j')).toEqual({ requeueAfterMs: 500 });
    expect((await bed.client.get<Pod>('Pod', 'default', 'p')).metadata.ownerReferences).toBeUndefined();
    await sync('Job/default/j');
    expect(await exists('Job', 'j')).toBe(false);
    expect(await exists('Pod', 'p')).toBe(true);
  });

  it('the handlers enqueue objects with owners, and an owner being deleted enqueues itself and its dependents', async () => {
    const keys: string[] = [];
    watchGcGraph(gcSyncContext(bed.shared).graph, (key) => keys.push(key));
    const owner = await bed.client.create<Job>('Job', job('j'));
    await bed.client.create('Pod', pod('p', [ref('j', owner.metadata.uid!)]));
    await bed.client.create('Pod', pod('free', []));
    await bed.settle();
    expect(keys).toEqual(['Pod/default/p']);
    keys.length = 0;
    await bed.client.delete('Job', 'default', 'j', { propagationPolicy: 'Foreground' });
    await bed.settle();
    expect(keys.sort()).toEqual(['Job/default/j', 'Pod/default/p']);
  });
});
