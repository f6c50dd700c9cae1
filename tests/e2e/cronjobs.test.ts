/**
 * CronJobs with the real clock: every CronJob here is on `*∕1 * * * *`, created together, and the
 * assertions run once two minute boundaries have passed (so the file takes about two minutes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type CronJob, type Event, type Job } from '@kjobs/api';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E({ without: ['memq'] });
}, 120_000);
afterAll(async () => {
  await e?.stop();
});

function cron(name: string, script: string, spec: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } } } },
      ...spec,
    },
  };
}
const jobsOf = async (cj: string) => (await e.api.list<Job>('Job', { namespace: 'default' })).items.filter((j) => j.metadata.ownerReferences?.some((r) => r.name === cj && r.kind === 'CronJob'));
const eventsOf = async (name: string) => (await e.api.list<Event>('Event', { namespace: 'default', fieldSelector: `involvedObject.name=${name}` })).items;
const isDone = (j: Job) => j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const minute = (d: Date) => Math.floor(d.getTime() / 60_000);

describe('CronJobs on the real clock', () => {
  it('rejects an invalid timeZone with 422 and stores nothing', async () => {
    let err: unknown;
    try {
      await e.api.create('CronJob', cron('badtz', 'true', { timeZone: 'Mars/Olympus_Mons' }));
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(422);
    expect((err as ApiError).details?.causes?.[0]?.field).toBe('spec.timeZone');
    expect((await e.api.list('CronJob', { namespace: 'default' })).items.map((c) => c.metadata.name)).not.toContain('badtz');
  });

  it('schedules, prunes history, and applies each concurrency policy, suspend and MissingJob', async () => {
    await e.api.create('CronJob', cron('history', 'echo tick', { successfulJobsHistoryLimit: 1 }));
    await e.api.create('CronJob', cron('forbid', 'sleep 300', { concurrencyPolicy: 'Forbid' }));
    await e.api.create('CronJob', cron('replace', 'sleep 300', { concurrencyPolicy: 'Replace' }));
    await e.api.create('CronJob', cron('suspended', 'true', { suspend: true }));
    await e.api.create('CronJob', cron('missing', 'sleep 300'));
    const created = minute(new Date());

    // First boundary: every unsuspended CronJob starts one Job, named <cronjob>-<minute>.
    const first = await waitFor('first runs', async () => {
      const all = await Promise.all(['history', 'forbid', 'replace', 'missing'].map(jobsOf));
      return all.every((js) => js.length >= 1) ? all : undefined;
    }, 75_000, 500);
    for (const [i, name] of ['history', 'forbid', 'replace', 'missing'].entries()) {
      const j = first[i]![0]!;
      expect(j.metadata.name).toBe(`${name}-${created + 1}`);
      expect(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date((created + 1) * 60_000).toISOString().replace('.000Z', 'Z'));
    }
    const firstReplace = first[2]![0]!.metadata.name!;

    // Deleting the active Job of "missing": MissingJob, and it leaves status.active.
    const missingJob = first[3]![0]!;
    await e.api.delete('Job', 'default', missingJob.metadata.name!, { propagationPolicy: 'Background' });
    await waitFor('MissingJob', async () => (await eventsOf('missing')).some((x) => x.reason === 'MissingJob' && x.message === `Active job went missing: ${missingJob.metadata.name}`), 60_000, 500);
    await waitFor('active cleared', async () => !(await e.api.get<CronJob>('CronJob', 'default', 'missing')).status?.active?.some((r) => r.name === missingJob.metadata.name), 30_000);

    // Second boundary.
    await waitFor('second history run done', async () => {
      const js = await jobsOf('history');
      return js.some((j) => j.metadata.name === `history-${created + 2}` && isDone(j)) ? js : undefined;
    }, 90_000, 500);

    // History pruned to successfulJobsHistoryLimit 1.
    const hist = await waitFor('history pruned to 1', async () => {
      const js = await jobsOf('history');
      return js.length === 1 ? js : undefined;
    }, 30_000, 500);
    expect(hist[0]!.metadata.name).toBe(`history-${created + 2}`);
    const h = await e.api.get<CronJob>('CronJob', 'default', 'history');
    expect(h.status?.lastSuccessfulTime).toBeTruthy();
    expect((await eventsOf('history')).map((x) => x.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob', 'SuccessfulDelete']));

    // Forbid: still the single first Job, and the controller said why.
    await waitFor('JobAlreadyActive', async () => (await eventsOf('forbid')).some((x) => x.reason === 'JobAlreadyActive'), 30_000, 500);
    const forbid = await jobsOf('forbid');
    expect(forbid.map((j) => j.metadata.name)).toEqual([`forbid-${created + 1}`]);
    expect((await e.api.get<CronJob>('CronJob', 'default', 'forbid')).status?.active).toHaveLength(1);

    // Replace: the first Job was deleted and the new one is the only active one.
    const rep = await waitFor('replaced', async () => {
      const cj = await e.api.get<CronJob>('CronJob', 'default', 'replace');
      const active = cj.status?.active ?? [];
      return active.length === 1 && active[0]!.name === `replace-${created + 2}` ? cj : undefined;
    }, 30_000, 500);
    expect(rep.status?.active).toHaveLength(1);
    await waitFor('first replace job gone', async () => !(await jobsOf('replace')).some((j) => j.metadata.name === firstReplace && !j.metadata.deletionTimestamp), 30_000, 500);

    // Suspended: nothing ran.
    expect(await jobsOf('suspended')).toHaveLength(0);
  }, 240_000);

  it('creates a Job from a CronJob the way `kubectl create job --from` does', async () => {
    const r = await e.kubectl(['create', 'job', 'manual-run', '--from=cronjob/suspended']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('job.batch/manual-run created');
    const j = await e.api.get<Job>('Job', 'default', 'manual-run');
    expect(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'suspended', controller: true });
    await waitFor('manual run completes', async () => isDone(await e.api.get<Job>('Job', 'default', 'manual-run')), 60_000);
  });
});
