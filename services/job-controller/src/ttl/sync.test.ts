import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '@kjobs/api';
import { startControllerBed, type ControllerBed } from '../testing/controller-bed.js';
import { ttlSyncContext } from './controller.js';
import { syncTtl } from './sync.js';

const KEY = 'default/pi';
const T0 = '2026-01-01T00:00:00Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000);

let bed: ControllerBed;
beforeEach(async () => {
  bed = await startControllerBed(T0);
});
afterEach(async () => bed.stop());

/** A Job with this TTL that finished (Complete) at T0 + 10 s, as the Job controller writes it. */
async function finishedJob(ttl: number): Promise<Job> {
  const job = await bed.client.create<Job>('Job', {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' },
    spec: { ttlSecondsAfterFinished: ttl, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const t = at(10).toISOString().replace('.000Z', 'Z');
  const conditions = [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: t }, { type: 'Complete', status: 'True', lastTransitionTime: t }] as NonNullable<Job['status']>['conditions'];
  const done = await bed.client.update<Job>('Job', { ...job, status: { startTime: T0, completionTime: t, conditions } }, { subresource: 'status' });
  await bed.settle();
  return done;
}

const deleting = async () => (await bed.client.get<Job>('Job', 'default', 'pi')).metadata.deletionTimestamp;

describe('syncTtl against an in-process api-server', () => {
  it('waits until finish + ttl, then deletes the Job in the foreground', async () => {
    await finishedJob(100);
    bed.clock.set(at(30));
    expect(await syncTtl(KEY, ttlSyncContext(bed.shared))).toEqual({ requeueAfterMs: 80_000 });
    expect(await deleting()).toBeUndefined();
    bed.clock.set(at(110));
    expect(await syncTtl(KEY, ttlSyncContext(bed.shared))).toBeUndefined();
    // Foreground: the Job stays, being deleted, until the garbage collector has its dependents.
    const job = await bed.client.get<Job>('Job', 'default', 'pi');
    expect(job.metadata.deletionTimestamp).toBeDefined();
    expect(job.metadata.finalizers).toContain('foregroundDeletion');
  });

  it('the TTL is mutable: an expired TTL in the cache is decided again on a fresh read', async () => {
    const stale = await finishedJob(10);
    await bed.client.update<Job>('Job', { ...(await bed.client.get<Job>('Job', 'default', 'pi')), spec: { ...stale.spec, ttlSecondsAfterFinished: 3600 } });
    bed.clock.set(at(30));
    const r = await syncTtl(KEY, { ...ttlSyncContext(bed.shared), job: () => stale });
    expect(r).toEqual({ requeueAfterMs: 3_580_000 });
    expect(await deleting()).toBeUndefined();
  });

  it('a Job without a TTL, or gone, is left alone', async () => {
    expect(await syncTtl(KEY, ttlSyncContext(bed.shared))).toBeUndefined();
    await finishedJob(10);
    const c = { ...ttlSyncContext(bed.shared), job: () => ({ ...bed.shared.jobs.get(KEY)!, spec: { ...bed.shared.jobs.get(KEY)!.spec, ttlSecondsAfterFinished: undefined } }) };
    bed.clock.set(at(100));
    expect(await syncTtl(KEY, c)).toBeUndefined();
    expect(await deleting()).toBeUndefined();
  });
});
