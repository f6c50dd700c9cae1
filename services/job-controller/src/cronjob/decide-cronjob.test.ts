import { describe, expect, it } from 'vitest';
import type { CronJob, Job } from '@kjobs/api';
import { decideCronJobSync } from './decide-cronjob.js';
import { buildScheduledJob, jobReference, scheduledJobName } from './scheduled-job.js';

const cronJob = (spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}, meta: Partial<CronJob['metadata']> = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2024-01-01T00:00:00Z', ...meta },
  spec: {
    schedule: '*/5 * * * *',
    concurrencyPolicy: 'Allow',
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    ...spec,
  },
  status,
});

let uidSeq = 0;
/** A child Job of `cj` for the scheduled time, running or finished. */
function child(cj: CronJob, scheduled: string, state: 'running' | 'Complete' | 'Failed' = 'running', startTime: string | null = scheduled): Job {
  const j = buildScheduledJob(cj, new Date(scheduled));
  j.metadata.uid = `job-${++uidSeq}`;
  j.status = startTime ? { startTime } : {};
  if (state !== 'running') {
    j.status.conditions = [{ type: state, status: 'True', lastTransitionTime: scheduled }];
    if (state === 'Complete') j.status.completionTime = scheduled;
  }
  return j;
}

const at = (s: string) => new Date(s);
const reasons = (d: ReturnType<typeof decideCronJobSync>) => d.events.map((e) => e.reason);

describe('starting Jobs on schedule', () => {
  it('creates the Job for the due time with a deterministic name, annotation, labels and owner', () => {
    const cj = cronJob();
    const d = decideCronJobSync({ cronJob: cj, jobs: [], now: at('2024-01-01T00:05:00.200Z') });
    expect(d.jobToCreate?.metadata).toEqual({
      name: 'hello-28401125',
      namespace: 'default',
      labels: { team: 'a' },
      annotations: { note: 'x', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2024-01-01T00:05:00Z' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(d.jobToCreate?.spec).toEqual(cj.spec.jobTemplate.spec);
    expect(d.status.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
    expect(d.status.active).toHaveLength(1);
    expect(d.requeueAfterMs).toBe(5 * 60_000 - 200 + 100); // next fire + 100 ms, no polling
  });

  it('does nothing before the first fire time but asks to wake up exactly then', () => {
    const d = decideCronJobSync({ cronJob: cronJob(), jobs: [], now: at('2024-01-01T00:03:00Z') });
    expect(d.jobToCreate).toBeNull();
    expect(d.statusChanged).toBe(false);
    expect(d.requeueAfterMs).toBe(2 * 60_000 + 100);
  });

  it('writes the scheduled-timestamp annotation in the CronJob’s zone', () => {
    const d = decideCronJobSync({ cronJob: cronJob({ schedule: '30 3 * * *', timeZone: 'America/New_York' }), jobs: [], now: at('2024-03-10T07:30:05Z') });
    expect(d.jobToCreate?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2024-03-10T03:30:00-04:00');
  });

  it('does not start the same time twice (lastScheduleTime already there)', () => {
    const d = decideCronJobSync({ cronJob: cronJob({}, { lastScheduleTime: '2024-01-01T00:05:00Z' }), jobs: [], now: at('2024-01-01T00:06:00Z') });
    expect(d.jobToCreate).toBeNull();
    expect(d.requeueAfterMs).toBe(4 * 60_000 + 100);
  });

  it('after missed windows starts only the most recent time', () => {
    const d = decideCronJobSync({ cronJob: cronJob({}, { lastScheduleTime: '2024-01-01T00:05:00Z' }), jobs: [], now: at('2024-01-01T00:33:00Z') });
    expect(d.jobToCreate?.metadata.name).toBe(scheduledJobName(cronJob(), at('2024-01-01T00:30:00Z')));
    expect(reasons(d)).toEqual([]);
  });

  it('warns TooManyMissedTimes beyond 100 missed times and still starts the latest', () => {
    const d = decideCronJobSync({ cronJob: cronJob({}, { lastScheduleTime: '2024-01-01T00:05:00Z' }), jobs: [], now: at('2024-01-03T00:01:00Z') });
    expect(d.events).toContainEqual({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
    expect(d.status.lastScheduleTime).toBe('2024-01-03T00:00:00Z');
  });

  it.each([
    ['a missed time older than startingDeadlineSeconds is skipped', 60, null],
    ['a missed time within startingDeadlineSeconds still starts', 200, '2024-01-01T00:30:00Z'],
  ])('%s', (_n, sds, started) => {
    const d = decideCronJobSync({ cronJob: cronJob({ startingDeadlineSeconds: sds }, { lastScheduleTime: '2024-01-01T00:05:00Z' }), jobs: [], now: at('2024-01-01T00:33:00Z') });
    expect(d.scheduledTime?.toISOString().replace('.000Z', 'Z') ?? null).toBe(started);
    if (!started) expect(d.requeueAfterMs).toBe(2 * 60_000 + 100);
  });
});

describe('concurrencyPolicy', () => {
  const running = (cj: CronJob) => child(cj, '2024-01-01T00:05:00Z');
  const setup = (policy: 'Allow' | 'Forbid' | 'Replace') => {
    const base = cronJob({ concurrencyPolicy: policy });
    const job = running(base);
    const cj = cronJob({ concurrencyPolicy: policy }, { active: [jobReference(job)], lastScheduleTime: '2024-01-01T00:05:00Z' });
    return { cj, job, d: decideCronJobSync({ cronJob: cj, jobs: [job], now: at('2024-01-01T00:10:01Z') }) };
  };

  it('Allow: starts another Job alongside the running one', () => {
    const { d } = setup('Allow');
    expect(d.jobToCreate?.metadata.name).toBe('hello-28401130');
    expect(d.status.active).toHaveLength(2);
  });

  it('Forbid: does not start, does not advance lastScheduleTime, says JobAlreadyActive', () => {
    const { d } = setup('Forbid');
    expect(d.jobToCreate).toBeNull();
    expect(d.status.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
    expect(d.events).toEqual([{ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' }]);
    expect(d.requeueAfterMs).toBe(5 * 60_000 - 1000 + 100);
  });

  it('Forbid: once the running Job finished, the late slot starts at once', () => {
    const base = cronJob({ concurrencyPolicy: 'Forbid' });
    const done = child(base, '2024-01-01T00:05:00Z', 'Complete');
    const cj = cronJob({ concurrencyPolicy: 'Forbid' }, { active: [jobReference(done)], lastScheduleTime: '2024-01-01T00:05:00Z' });
    const d = decideCronJobSync({ cronJob: cj, jobs: [done], now: at('2024-01-01T00:12:00Z') });
    expect(reasons(d)).toEqual(['SawCompletedJob']);
    expect(d.events[0]!.message).toBe('Saw completed job: hello-28401125, status: Complete');
    expect(d.jobToCreate?.metadata.name).toBe('hello-28401130');
    expect(d.status.active?.map((r) => r.name)).toEqual(['hello-28401130']);
  });

  it('Replace: deletes the running Job, then starts the new one', () => {
    const { d, job } = setup('Replace');
    expect(d.replaceDeletes).toEqual([job]);
    expect(d.statusBeforeCreate.active).toBeUndefined();
    expect(d.status.active?.map((r) => r.name)).toEqual(['hello-28401130']);
  });
});

describe('the active list and history', () => {
  it('prunes finished Jobs beyond the history limits, oldest startTime first (missing startTime last)', () => {
    const cj = cronJob();
    const complete = ['00:05', '00:10', '00:15', '00:20', '00:25'].map((t) => child(cj, `2024-01-01T${t}:00Z`, 'Complete'));
    const noStart = child(cj, '2024-01-01T00:01:00Z', 'Complete', null);
    const failed = ['00:30', '00:35'].map((t) => child(cj, `2024-01-01T${t}:00Z`, 'Failed'));
    const d = decideCronJobSync({ cronJob: cj, jobs: [...complete, noStart, ...failed], now: at('2024-01-01T00:36:00Z') });
    expect(d.historyDeletes.map((j) => j.status?.startTime ?? 'none')).toEqual(['2024-01-01T00:05:00Z', '2024-01-01T00:10:00Z', '2024-01-01T00:15:00Z', '2024-01-01T00:30:00Z']);
  });

  it('keeps no history with limits 0', () => {
    const cj = cronJob({ successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 });
    const jobs = [child(cj, '2024-01-01T00:05:00Z', 'Complete'), child(cj, '2024-01-01T00:10:00Z', 'Failed')];
    expect(decideCronJobSync({ cronJob: cj, jobs, now: at('2024-01-01T00:11:00Z') }).historyDeletes).toHaveLength(2);
  });

  it('drops an active Job that no longer exists (MissingJob) and reports a stray one (UnexpectedJob)', () => {
    const base = cronJob();
    const gone = child(base, '2024-01-01T00:05:00Z');
    const stray = child(base, '2024-01-01T00:00:00Z');
    const cj = cronJob({}, { active: [jobReference(gone)], lastScheduleTime: '2024-01-01T00:05:00Z' });
    const d = decideCronJobSync({ cronJob: cj, jobs: [stray], now: at('2024-01-01T00:06:00Z') });
    expect(d.events).toEqual([
      { type: 'Normal', reason: 'MissingJob', message: 'Active job went missing: hello-28401125' },
      { type: 'Warning', reason: 'UnexpectedJob', message: 'Saw a job that the controller did not create or forgot: hello-28401120' },
    ]);
    expect(d.status.active).toBeUndefined();
    expect(d.statusChanged).toBe(true);
  });

  it('sets lastSuccessfulTime from the latest completed Job', () => {
    const cj = cronJob({}, { lastScheduleTime: '2024-01-01T00:10:00Z' });
    const jobs = [child(cj, '2024-01-01T00:05:00Z', 'Complete'), child(cj, '2024-01-01T00:10:00Z', 'Complete')];
    expect(decideCronJobSync({ cronJob: cj, jobs, now: at('2024-01-01T00:11:00Z') }).status.lastSuccessfulTime).toBe('2024-01-01T00:10:00Z');
  });
});

describe('restart between creating the Job and writing status', () => {
  it('adopts the Job it already created instead of creating it again', () => {
    const base = cronJob({}, { lastScheduleTime: '2024-01-01T00:00:00Z' });
    const created = child(base, '2024-01-01T00:05:00Z');
    const d = decideCronJobSync({ cronJob: base, jobs: [created], now: at('2024-01-01T00:05:30Z') });
    expect(d.jobToCreate).toBeNull();
    expect(d.adopted).toBe(created);
    expect(d.events).toEqual([]);
    expect(d.status.active).toEqual([jobReference(created)]);
    expect(d.status.lastScheduleTime).toBe('2024-01-01T00:05:00Z');
  });

  it('a same-named Job that another controller owns is not adopted', () => {
    const base = cronJob({}, { lastScheduleTime: '2024-01-01T00:00:00Z' });
    const foreign = child(base, '2024-01-01T00:05:00Z');
    foreign.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'other-uid', controller: true }];
    const d = decideCronJobSync({ cronJob: base, jobs: [foreign], now: at('2024-01-01T00:05:30Z') });
    expect(d.adopted).toBeNull();
    expect(d.jobToCreate?.metadata.name).toBe('hello-28401125'); // the create will fail AlreadyExists
  });
});

describe('stopping', () => {
  it.each([
    ['suspended', cronJob({ suspend: true }), []],
    ['unknown time zone', cronJob({ timeZone: 'Mars/Olympus' }), [{ type: 'Warning', reason: 'UnknownTimeZone', message: 'invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus' }]],
    ['unparseable schedule', cronJob({ schedule: '* * *' }), [{ type: 'Warning', reason: 'UnparseableSchedule', message: 'unparseable schedule: "* * *" : expected exactly 5 fields, found 3: [* * *]' }]],
    ['schedule that never fires', cronJob({ schedule: '0 0 31 2 *' }), [{ type: 'Warning', reason: 'InvalidSchedule', message: 'invalid schedule: 0 0 31 2 * : time difference between two schedules is less than 1 second' }]],
    ['being deleted', cronJob({}, {}, { deletionTimestamp: '2024-01-01T00:01:00Z' }), []],
  ])('%s: no Job, no requeue', (_n, cj, events) => {
    const d = decideCronJobSync({ cronJob: cj, jobs: [], now: at('2024-06-01T00:10:00Z') });
    expect(d.jobToCreate).toBeNull();
    expect(d.requeueAfterMs).toBeUndefined();
    expect(d.events).toEqual(events);
  });
});
