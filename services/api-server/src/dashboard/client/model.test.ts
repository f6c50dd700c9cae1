import { describe, expect, it } from 'vitest';
import type { CronJob, Event, Job, Node, Pod } from '@kjobs/api';
import {
  cronJobRuns, jobConditions, jobDuration, jobProgress, jobStatus, nodeAllocations, phaseCounts, podRestarts, podsByJob, podStatus, recentEvents,
} from './model.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function job(spec: Partial<Job['spec']>, status: Job['status'] = {}, meta: Partial<Job['metadata']> = {}): Job {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', uid: 'u1', ...meta }, spec: { template: { spec: { containers: [] } }, ...spec }, status } as Job;
}
function pod(name: string, status: Pod['status'], extra: Partial<Pod['spec']> = {}, owner = 'u1'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owner ? [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: owner, controller: true }] : [] },
    spec: { containers: [{ name: 'c', image: 'i' }], ...extra }, status,
  } as Pod;
}
const cond = (type: string, reason?: string, message?: string) => ({ type, status: 'True' as const, reason, message });

describe('jobs', () => {
  it.each([
    [[cond('Complete')], 'Complete', '✔'],
    [[cond('FailureTarget', 'BackoffLimitExceeded'), cond('Failed', 'BackoffLimitExceeded')], 'Failed', '✖'],
    [[cond('Suspended')], 'Suspended', '⏸'],
    [[cond('FailureTarget')], 'FailureTarget', '✖'],
    [[cond('SuccessCriteriaMet')], 'SuccessCriteriaMet', '✔'],
    [[{ type: 'Complete', status: 'False' as const }], 'Running', '▶'],
    [[], 'Running', '▶'],
  ])('status of conditions %j is %s', (conditions, text, symbol) => {
    expect(jobStatus(job({}, { conditions }))).toMatchObject({ text, symbol });
  });

  it('a Job being deleted is Terminating unless it already finished', () => {
    expect(jobStatus(job({}, {}, { deletionTimestamp: '2026-03-01T11:00:00Z' })).text).toBe('Terminating');
    expect(jobStatus(job({}, { conditions: [cond('Complete')] }, { deletionTimestamp: '2026-03-01T11:00:00Z' })).text).toBe('Complete');
  });

  it('progress: completions, or a count for a work queue', () => {
    expect(jobProgress(job({ completions: 10, parallelism: 5 }, { succeeded: 7, active: 3, failed: 1, ready: 2 }))).toEqual({
      succeeded: 7, failed: 1, active: 3, ready: 2, max: 10, text: '7/10',
    });
    expect(jobProgress(job({ completions: null, parallelism: 5 }, { succeeded: 3 }))).toMatchObject({ max: null, text: '3 succeeded' });
    expect(jobProgress(job({}, undefined))).toMatchObject({ succeeded: 0, max: null });
  });

  it('duration runs until completion', () => {
    expect(jobDuration(job({}, { startTime: '2026-03-01T11:58:00Z' }), NOW)).toBe('2m');
    expect(jobDuration(job({}, { startTime: '2026-03-01T11:00:00Z', completionTime: '2026-03-01T11:00:42Z' }), NOW)).toBe('42s');
    expect(jobDuration(job({}, {}), NOW)).toBe('');
  });

  it('conditions read as type, reason and message', () => {
    expect(jobConditions(job({}, { conditions: [cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'), { type: 'Suspended', status: 'False' }] })))
      .toEqual(['Failed: BackoffLimitExceeded — Job has reached the specified backoff limit']);
  });
});

describe('pods', () => {
  it.each<[Pod['status'], string, string]>([
    [{ phase: 'Pending' }, 'Pending', 'idle'],
    [{ phase: 'Running', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: 0, state: { running: {} }, lastState: {} }] }, 'Running', 'busy'],
    [{ phase: 'Running', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: {} }] }, 'CrashLoopBackOff', 'bad'],
    [{ phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: {} }] }, 'Completed', 'ok'],
    [{ phase: 'Failed', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } }, lastState: {} }] }, 'Error', 'bad'],
    [{ phase: 'Failed', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } }, lastState: {} }] }, 'ExitCode:137', 'bad'],
    [{ phase: 'Failed', reason: 'DeadlineExceeded' }, 'DeadlineExceeded', 'bad'],
  ])('status %j → %s', (status, text, tone) => {
    expect(podStatus(pod('p', status))).toMatchObject({ text, tone });
  });

  it('restarts sum over containers; pods group by their Job; phases count in order', () => {
    const cs = (n: number) => ({ name: 'c', image: 'i', imageID: '', ready: true, restartCount: n, state: {}, lastState: {} });
    const a = pod('a', { phase: 'Running', containerStatuses: [cs(2), cs(1)] });
    const b = pod('b', { phase: 'Succeeded' });
    const c = pod('c', { phase: 'Running' }, {}, 'u2');
    const d = pod('d', undefined, {}, '');
    expect(podRestarts(a)).toBe(3);
    const grouped = podsByJob([a, b, c, d]);
    expect(grouped.get('u1')?.map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(grouped.get('u2')?.map((p) => p.metadata.name)).toEqual(['c']);
    expect(grouped.get('')?.map((p) => p.metadata.name)).toEqual(['d']);
    expect(phaseCounts([a, b, c, d])).toEqual([['Pending', 1], ['Running', 2], ['Succeeded', 1]]);
  });
});

describe('nodes', () => {
  it('requests of the non-terminal pods bound to a node, against allocatable', () => {
    const node = (name: string, ready: 'True' | 'False'): Node => ({
      apiVersion: 'v1', kind: 'Node', metadata: { name },
      status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: ready }] },
    });
    const req = (cpu: string, memory: string) => ({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu, memory } } }], nodeName: 'n1' });
    const pods = [
      pod('a', { phase: 'Running' }, req('500m', '256Mi')),
      pod('b', { phase: 'Pending' }, req('250m', '1Gi')),
      pod('c', { phase: 'Succeeded' }, req('2', '2Gi')),
      pod('d', { phase: 'Pending' }, { nodeName: 'elsewhere' }),
    ];
    const out = nodeAllocations([node('n1', 'True'), node('n2', 'False')], pods);
    expect(out.get('n1')).toEqual({ ready: { text: 'Ready', symbol: '✔', tone: 'ok' }, pods: 2, maxPods: 110, cpu: 750, maxCpu: 4000, memory: 1280 * 2 ** 20, maxMemory: 8 * 2 ** 30 });
    expect(out.get('n2')).toMatchObject({ ready: { text: 'NotReady' }, pods: 0, cpu: 0 });
  });
});

describe('cronjobs and events', () => {
  const cj = (spec: Partial<CronJob['spec']>, status: CronJob['status'] = {}): CronJob => ({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'default', creationTimestamp: '2026-03-01T00:00:00Z' },
    spec: { schedule: '0 */5 * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec }, status,
  });
  it('next run from the schedule; none when suspended', () => {
    expect(cronJobRuns(cj({ timeZone: 'UTC' }, { lastScheduleTime: '2026-03-01T10:00:00Z', active: [{ name: 'x' }] }), NOW)).toEqual({
      schedule: '0 */5 * * * (UTC)', suspended: false, active: 1, lastSchedule: '2026-03-01T10:00:00Z', lastSuccessful: undefined,
      next: Date.parse('2026-03-01T15:00:00Z'),
    });
    expect(cronJobRuns(cj({ suspend: true }), NOW)).toMatchObject({ suspended: true, next: null });
  });
  it('recent events: newest first, limited', () => {
    const ev = (name: string, t: string): Event => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: {}, lastTimestamp: t });
    const list = [ev('a', '2026-03-01T10:00:00Z'), ev('b', '2026-03-01T11:00:00Z'), ev('c', '2026-03-01T09:00:00Z')];
    expect(recentEvents(list, 2).map((e) => e.metadata.name)).toEqual(['b', 'a']);
    const [x, y] = [ev('x', '2026-03-01T10:00:00Z'), ev('y', '2026-03-01T10:00:00Z')];
    x.metadata.resourceVersion = '20';
    y.metadata.resourceVersion = '9';
    expect(recentEvents([y, x], 2).map((e) => e.metadata.name)).toEqual(['x', 'y']);
  });
});
