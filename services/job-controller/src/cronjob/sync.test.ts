import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CronJob, Job } from '@kjobs/api';
import { startControllerBed, type ControllerBed } from '../testing/controller-bed.js';
import { cronJobSyncContext, watchCronJobs } from './controller.js';
import type { CronJobSyncContext } from './sync.js';
import { syncCronJob } from './sync.js';

const KEY = 'default/hello';

const cronJob = (spec: Partial<CronJob['spec']> = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: 'default' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
});

let bed: ControllerBed;
/** Events the sync recorded (the real recorder writes them too, asynchronously). */
let events: string[];

beforeEach(async () => {
  bed = await startControllerBed('2024-01-01T00:00:00Z');
  events = [];
});
afterEach(async () => bed.stop());

/** The real sync context over the in-process API, with the events it records captured. */
function context(over: Partial<CronJobSyncContext> = {}): CronJobSyncContext {
  const c = cronJobSyncContext(bed.shared);
  const record = c.control.recordEvent;
  return { ...c, control: { ...c.control, recordEvent: (o, type, reason, msg) => (events.push(`${type} ${reason}: ${msg}`), record(o, type, reason, msg)) }, ...over };
}

/** Create the CronJob (at the clock's time, 00:00) and wait for the caches to show it. */
async function create(cj: CronJob): Promise<void> {
  await bed.client.create('CronJob', cj);
  await bed.settle();
}

/** Sync at `time` on caches that have seen every earlier write. */
async function syncAt(time: string, c = context()): Promise<{ requeueAfterMs?: number }> {
  await bed.settle();
  bed.clock.set(time);
  return syncCronJob(KEY, c);
}

const jobs = async () => (await bed.client.list<Job>('Job', { namespace: 'default' })).items;
const stored = () => bed.client.get<CronJob>('CronJob', 'default', 'hello');

/** Every Job Complete (as the Job controller would write it). */
async function finishAll(): Promise<void> {
  for (const j of await jobs()) {
    if (j.status?.conditions?.length) continue;
    const t = '2024-01-01T00:00:00Z';
    const conditions = [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] as NonNullable<Job['status']>['conditions'];
    await bed.client.update<Job>('Job', { ...j, status: { ...j.status, startTime: t, conditions, completionTime: t } }, { subresource: 'status' });
  }
}

/** Controls whose status writes fail: the controller dies between creating the Job and writing status. */
function dyingContext(): CronJobSyncContext {
  const c = context();
  return { ...c, control: { ...c.control, updateCronJobStatus: () => Promise.reject(new Error('controller died before writing status')) } };
}

describe('syncCronJob against an in-process api-server', () => {
  it('creates the Job, writes status once and sleeps until the next fire time', async () => {
    await create(cronJob());
    const r = await syncAt('2024-01-01T00:05:00Z');
    const [job] = await jobs();
    expect((await jobs()).map((j) => j.metadata.name)).toEqual(['hello-28401125']);
    expect((await stored()).status?.active?.[0]).toMatchObject({ name: 'hello-28401125', uid: job!.metadata.uid, kind: 'Job' });
    expect((await stored()).status?.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
    expect(events).toEqual(['Normal SuccessfulCreate: Created job hello-28401125']);
    expect(r.requeueAfterMs).toBe(300_100);
  });

  it('restart between create and status write, stale cache: AlreadyExists → adopt, one Job only', async () => {
    await create(cronJob());
    await expect(syncAt('2024-01-01T00:05:00Z', dyingContext())).rejects.toThrow('controller died');
    await syncAt('2024-01-01T00:05:02Z', context({ jobsOf: () => [] })); // the cache has not seen the Job yet
    const all = await jobs();
    expect(all).toHaveLength(1);
    expect((await stored()).status?.active?.map((r) => r.uid)).toEqual([all[0]!.metadata.uid]);
    expect((await stored()).status?.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
  });

  it('restart between create and status write, fresh cache: adopts without another create', async () => {
    await create(cronJob());
    await expect(syncAt('2024-01-01T00:05:00Z', dyingContext())).rejects.toThrow();
    events.length = 0;
    await syncAt('2024-01-01T00:05:02Z');
    expect(await jobs()).toHaveLength(1);
    expect(events).toEqual([]);
    expect((await stored()).status?.active).toHaveLength(1);
  });

  it('an active Job not yet in the cache is re-read, not reported missing', async () => {
    await create(cronJob({ concurrencyPolicy: 'Forbid' }));
    await syncAt('2024-01-01T00:05:00Z');
    events.length = 0;
    await syncAt('2024-01-01T00:10:00Z', context({ jobsOf: () => [] }));
    expect(events).toEqual(['Normal JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid']);
    expect(await jobs()).toHaveLength(1);
  });

  it('Replace deletes the running Job before creating the next; history keeps the last 3', async () => {
    await create(cronJob({ concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 3 }));
    await syncAt('2024-01-01T00:05:00Z');
    await syncAt('2024-01-01T00:10:00Z');
    expect((await jobs()).map((j) => j.metadata.name)).toEqual(['hello-28401130']);
    expect(events).toContain('Normal SuccessfulDelete: Deleted job hello-28401125');
    for (const t of ['15', '20', '25', '30', '35']) {
      await finishAll();
      await syncAt(`2024-01-01T00:${t}:00Z`);
    }
    await finishAll();
    await syncAt('2024-01-01T00:36:00Z');
    expect(await jobs()).toHaveLength(3);
    expect((await stored()).status?.active).toBeUndefined();
  });

  it('the handlers enqueue the CronJob for its own events and for those of the Jobs it controls, not for other Jobs', async () => {
    const keys: string[] = [];
    watchCronJobs(bed.shared, (key) => keys.push(key));
    await create(cronJob());
    await syncAt('2024-01-01T00:05:00Z');
    await bed.client.create<Job>('Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'stray', namespace: 'default' }, spec: cronJob().spec.jobTemplate.spec });
    await bed.settle();
    expect(keys).toEqual([KEY, KEY, KEY]); // its add, its status write, the add of its Job; nothing for "stray"
  });
});
