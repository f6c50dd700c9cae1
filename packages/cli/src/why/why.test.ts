import { describe, expect, it } from 'vitest';
import type { CronJob, Event, Job, Pod } from '@kjobs/api';
import { explainCronJob } from './explain-cronjob.js';
import { explainJob, type JobFacts } from './explain-job.js';

const now = new Date('2026-12-07T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

function job(spec: Partial<Job['spec']> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', uid: 'ju' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } }, ...spec }, status: { startTime: ago(100), ...status },
  };
}
function pod(name: string, status: Pod['status'], extra: { nodeName?: string; index?: string } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `${name}-u`, creationTimestamp: ago(200), labels: extra.index ? { 'batch.kubernetes.io/job-completion-index': extra.index } : {} },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
    status,
  };
}
const failedPod = (name: string, secondsAgo: number, index?: string) => pod(name, {
  phase: 'Failed',
  containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, lastState: {}, state: { terminated: { exitCode: 1, finishedAt: ago(secondsAgo) } } }],
}, { index, nodeName: 'n1' });
const waiting = (reason: string, message?: string, last?: { exitCode: number; reason?: string }, restarts = 0): Pod['status'] => ({
  phase: 'Pending',
  containerStatuses: [{ name: 'c', image: 'no/such:img', imageID: '', ready: false, restartCount: restarts, lastState: last ? { terminated: last } : {}, state: { waiting: { reason, message } } }],
});
const facts = (j: Job, pods: Pod[] = [], more: Partial<JobFacts> = {}): JobFacts => ({ job: j, pods, events: [], previousLogs: {}, now, ...more });

describe('explainJob', () => {
  const cases: [string, JobFacts, RegExp[]][] = [
    ['finished', facts(job({}, { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] })),
      [/has finished: Failed \(BackoffLimitExceeded: Job has reached the specified backoff limit\)/]],
    ['suspended', facts(job({ suspend: true })), [/^The Job is suspended/]],
    ['pod-recreation backoff', facts(job({ backoffLimit: 3 }, { failed: 2 }), [failedPod('p1', 30), failedPod('p2', 5)]),
      [/backing off after 2 consecutive failures: the next pod is created in about 15s/, /Backoff budget: 2 of backoffLimit 3 pod failures used/]],
    ['backoff over', facts(job({}, { failed: 1 }), [failedPod('p1', 30)]), [/^Backoff budget: 1 of backoffLimit 6/]],
    ['unschedulable, from PodScheduled', facts(job(), [
      pod('p1', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }] }),
      pod('p2', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }] }),
    ]), [/^2 pods \(p1, p2\) are Pending, not scheduled: 0\/2 nodes are available: 2 Insufficient cpu\.$/]],
    ['unschedulable, from the event', facts(job(), [pod('p1', { phase: 'Pending' })], {
      events: [{ apiVersion: 'v1', kind: 'Event', metadata: {}, involvedObject: { name: 'p1' }, reason: 'FailedScheduling', message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector" } as Event],
    }), [/^Pod p1 is Pending, not scheduled: 0\/1 nodes are available: 1 node\(s\) didn't match/]],
    ['image pull', facts(job(), [pod('p1', waiting('ImagePullBackOff', 'Back-off pulling image "no/such:img"'), { nodeName: 'n1' })]),
      [/^Pod p1 cannot start container c: pulling image "no\/such:img" fails \(ImagePullBackOff: Back-off pulling image/]],
    ['crash loop with log', facts(job(), [pod('p1', waiting('CrashLoopBackOff', 'back-off 10s', { exitCode: 3, reason: 'Error' }, 2), { nodeName: 'n1' })], { previousLogs: { 'p1/c': 'starting\nboom: no config\n' } }),
      [/^Container c of pod p1 is in CrashLoopBackOff after 2 restarts; its last run exited with code 3 \(Error\)\. The last lines of its log:\n {4}starting\n {4}boom: no config$/]],
    ['active deadline', facts(job({ activeDeadlineSeconds: 160 }), [pod('p1', { phase: 'Running' }, { nodeName: 'n1' })]),
      [/^The active deadline \(activeDeadlineSeconds 160\) ends in 1m: the Job fails then/]],
    ['per-index budget', facts(job({ completionMode: 'Indexed', completions: 4, backoffLimitPerIndex: 1 }, { failed: 3, failedIndexes: '1' }),
      [failedPod('a', 100, '1'), failedPod('b', 90, '1'), failedPod('c', 80, '2')]),
    [/^Backoff budget per index \(backoffLimitPerIndex 1\): index 1 2 of 2 runs failed \(index failed\); index 2 1 of 2 runs failed\.$/]],
    ['nothing holds it', facts(job({ completions: 3 }, { succeeded: 1 }), [pod('p1', { phase: 'Running' }, { nodeName: 'n1' })]), [/^Nothing holds it: 1 pod active, 1 of 3 completed\.$/]],
  ];
  for (const [what, f, want] of cases) {
    it(what, () => {
      const got = explainJob(f);
      for (const re of want) expect(got.some((s) => re.test(s)), `${re} in ${JSON.stringify(got)}`).toBe(true);
    });
  }
});

function cron(spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'default', creationTimestamp: ago(7200) },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec }, status,
  };
}
const event = (reason: string, secondsAgo: number, message = ''): Event =>
  ({ apiVersion: 'v1', kind: 'Event', metadata: {}, involvedObject: { name: 'cj' }, reason, message, lastTimestamp: ago(secondsAgo) } as Event);

describe('explainCronJob', () => {
  const cases: [string, CronJob, Event[], RegExp[]][] = [
    ['next run', cron(), [], [/^The next run is at 2026-12-07T12:05:00.000Z, in 5m\.$/]],
    ['suspended, runs skipped', cron({ suspend: true }, { lastScheduleTime: ago(3600) }), [], [/^The CronJob is suspended .*; runs due since 2026-12-07T11:05:00.000Z were skipped\.$/]],
    ['Forbid', cron({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: ago(600), active: [{ name: 'cj-1' }] }),
      [event('JobAlreadyActive', 60, 'Not starting job because prior execution is running and concurrency policy is Forbid')],
      [/^The last run was skipped \(1m ago\) because concurrencyPolicy is Forbid and the previous Job \(cj-1\) had not finished\.$/, /^Job cj-1 is running now/]],
    ['starting deadline', cron({ startingDeadlineSeconds: 10 }, { lastScheduleTime: ago(900) }), [event('MissSchedule', 30, 'Missed scheduled time to start a job: Mon, 07 Dec 2026 11:55:00 +0000')],
      [/^The last run was skipped \(30s ago\) because it could not start within startingDeadlineSeconds \(10s\)/]],
    ['starting deadline, inferred (no event)', cron({ schedule: '0 0 1 * *', startingDeadlineSeconds: 10 }, { lastScheduleTime: '2026-10-01T00:00:00Z' }), [],
      [/^The run due at 2026-12-01T00:00:00.000Z was skipped: it could not start within startingDeadlineSeconds \(10s\)/]],
    ['a skip before the last run is old news', cron({}, { lastScheduleTime: ago(60) }), [event('MissSchedule', 600)], [/^The last Job was scheduled at/]],
  ];
  for (const [what, cj, events, want] of cases) {
    it(what, () => {
      const got = explainCronJob({ cronJob: cj, events, now });
      for (const re of want) expect(got.some((s) => re.test(s)), `${re} in ${JSON.stringify(got)}`).toBe(true);
      if (what.startsWith('a skip before')) expect(got.some((s) => /skipped/.test(s))).toBe(false);
    });
  }
});

describe('explainJob: a work-queue Job held by its MemQ queue', () => {
  const queued = (status?: string, completions?: number): Job => {
    const j = job(completions === undefined ? {} : { completions }, { succeeded: 5 });
    j.metadata.annotations = { 'kjobs.io/memq-queue': 'keygen', ...(status === undefined ? {} : { 'kjobs.io/memq-queue-status': status }) };
    return j;
  };
  const why = (j: Job) => explainJob({ job: j, pods: [], events: [], previousLogs: {}, now });
  it.each<[string, Job, string]>([
    ['a lease in flight', queued('depth=0 inFlight=1'), 'The Job waits for its MemQ queue keygen (kjobs.io/memq-queue): 1 lease in flight (an item whose consumer died comes back when its lease expires, and gets a new consumer); it completes once the queue is empty and no lease is in flight.'],
    ['items waiting and leases', queued('depth=3 inFlight=2'), 'The Job waits for its MemQ queue keygen (kjobs.io/memq-queue): 3 items waiting, 2 leases in flight (an item whose consumer died comes back when its lease expires, and gets a new consumer); it completes once the queue is empty and no lease is in flight.'],
    ['a queue it cannot see', queued('unknown: no running pod backs service "queue"'), 'The Job waits for its MemQ queue keygen (kjobs.io/memq-queue), which the job-controller cannot see: no running pod backs service "queue".'],
  ])('%s', (_name, j, sentence) => expect(why(j)).toEqual([sentence]));
  it.each<[string, Job]>([
    ['a drained queue', queued('depth=0 inFlight=0')],
    ['not looked at yet', queued()],
    ['fixed completions (the queue is not watched)', queued('depth=3 inFlight=0', 5)],
  ])('%s holds nothing', (_name, j) => expect(why(j)[0]).toMatch(/^Nothing holds it/));
});
