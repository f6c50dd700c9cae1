import { describe, expect, it } from 'vitest';
import { ApiError, type CronJob, type Job, type KObject } from '@kjobs/api';
import type { CronJobControl } from './ports.js';
import { syncCronJob } from './sync-cronjob.js';

/** An in-memory API for one CronJob and its Jobs, with a controller that can die mid-sync. */
class FakeCronApi implements CronJobControl {
  readonly jobs = new Map<string, Job>();
  readonly events: string[] = [];
  failStatusWrites = false;
  private seq = 0;
  private rv = 1;
  constructor(public cj: CronJob) {}

  async getJob(_ns: string, name: string): Promise<Job | null> {
    return structuredClone(this.jobs.get(name) ?? null);
  }
  async createJob(_ns: string, job: Job): Promise<Job> {
    const name = job.metadata.name ?? '';
    if (this.jobs.has(name)) throw new ApiError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`);
    const stored: Job = { ...structuredClone(job), metadata: { ...job.metadata, uid: `job-uid-${++this.seq}`, resourceVersion: String(++this.rv) } };
    this.jobs.set(name, stored);
    return structuredClone(stored);
  }
  async deleteJob(_ns: string, name: string, opts: { propagationPolicy: 'Background'; uid?: string }): Promise<void> {
    const j = this.jobs.get(name);
    if (!j) throw new ApiError(404, 'NotFound', `jobs.batch "${name}" not found`);
    if (opts.uid && opts.uid !== j.metadata.uid) throw new ApiError(409, 'Conflict', 'uid precondition failed');
    this.jobs.delete(name);
  }
  async updateCronJobStatus(cj: CronJob): Promise<CronJob> {
    if (this.failStatusWrites) throw new Error('controller died before writing status');
    if (cj.metadata.resourceVersion !== this.cj.metadata.resourceVersion) throw new ApiError(409, 'Conflict', 'stale');
    this.cj = { ...this.cj, status: structuredClone(cj.status), metadata: { ...this.cj.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.cj);
  }
  recordEvent(_o: KObject, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason}: ${message}`);
  }
  list(): Job[] {
    return [...this.jobs.values()].map((j) => structuredClone(j));
  }
  finishAll(): void {
    for (const j of this.jobs.values()) j.status = { ...j.status, conditions: [{ type: 'Complete', status: 'True' }], completionTime: '2024-01-01T00:00:00Z' };
  }
}

const cronJob = (spec: Partial<CronJob['spec']> = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } }, ...spec },
});

describe('syncCronJob against an in-memory API', () => {
  it('creates the Job, writes status once and sleeps until the next fire time', async () => {
    const api = new FakeCronApi(cronJob());
    const r = await syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:05:00Z'), api);
    expect([...api.jobs.keys()]).toEqual(['hello-28401125']);
    expect(api.cj.status?.active?.[0]).toMatchObject({ name: 'hello-28401125', uid: 'job-uid-1', kind: 'Job' });
    expect(api.cj.status?.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
    expect(api.events).toEqual(['Normal SuccessfulCreate: Created job hello-28401125']);
    expect(r.requeueAfterMs).toBe(300_100);
  });

  it('restart between create and status write, stale cache: AlreadyExists → adopt, one Job only', async () => {
    const api = new FakeCronApi(cronJob());
    api.failStatusWrites = true;
    await expect(syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:05:00Z'), api)).rejects.toThrow('controller died');
    api.failStatusWrites = false;
    await syncCronJob(api.cj, [], new Date('2024-01-01T00:05:02Z'), api); // cache has not seen the Job yet
    expect(api.jobs.size).toBe(1);
    expect(api.cj.status?.active?.map((r) => r.uid)).toEqual(['job-uid-1']);
    expect(api.cj.status?.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
  });

  it('restart between create and status write, fresh cache: adopts without another create', async () => {
    const api = new FakeCronApi(cronJob());
    api.failStatusWrites = true;
    await expect(syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:05:00Z'), api)).rejects.toThrow();
    api.failStatusWrites = false;
    api.events.length = 0;
    await syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:05:02Z'), api);
    expect(api.jobs.size).toBe(1);
    expect(api.events).toEqual([]);
    expect(api.cj.status?.active).toHaveLength(1);
  });

  it('an active Job not yet in the cache is re-read, not reported missing', async () => {
    const api = new FakeCronApi(cronJob({ concurrencyPolicy: 'Forbid' }));
    await syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:05:00Z'), api);
    api.events.length = 0;
    await syncCronJob(api.cj, [], new Date('2024-01-01T00:10:00Z'), api);
    expect(api.events).toEqual(['Normal JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid']);
    expect(api.jobs.size).toBe(1);
  });

  it('Replace deletes the running Job before creating the next; history keeps the last 3', async () => {
    const api = new FakeCronApi(cronJob({ concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 3 }));
    await syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:05:00Z'), api);
    await syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:10:00Z'), api);
    expect([...api.jobs.keys()]).toEqual(['hello-28401130']);
    expect(api.events).toContain('Normal SuccessfulDelete: Deleted job hello-28401125');
    for (const t of ['15', '20', '25', '30', '35']) {
      api.finishAll();
      await syncCronJob(api.cj, api.list(), new Date(`2024-01-01T00:${t}:00Z`), api);
    }
    api.finishAll();
    await syncCronJob(api.cj, api.list(), new Date('2024-01-01T00:36:00Z'), api);
    expect(api.jobs.size).toBe(3);
    expect(api.cj.status?.active).toBeUndefined();
  });
});
