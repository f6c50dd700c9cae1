import { describe, expect, it } from 'vitest';
import type { CronJob, Job } from '@kjobs/api';
import { compareByStartTime, jobsOverHistoryLimits } from './decide-history.js';

const cj = (successfulJobsHistoryLimit?: number, failedJobsHistoryLimit?: number): CronJob => ({
  metadata: { name: 'c' },
  spec: { schedule: '* * * * *', successfulJobsHistoryLimit, failedJobsHistoryLimit, jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
});
const job = (name: string, state: 'Complete' | 'Failed' | 'running', startTime?: string): Job => ({
  metadata: { name },
  spec: { template: { spec: { containers: [] } } },
  status: { ...(startTime ? { startTime } : {}), ...(state === 'running' ? {} : { conditions: [{ type: state, status: 'True' }] }) },
});
const names = (js: Job[]) => js.map((j) => j.metadata.name);

describe('jobsOverHistoryLimits', () => {
  const jobs = [job('c3', 'Complete', '2024-01-01T00:03:00Z'), job('c1', 'Complete', '2024-01-01T00:01:00Z'), job('c2', 'Complete', '2024-01-01T00:02:00Z'),
    job('f1', 'Failed', '2024-01-01T00:01:00Z'), job('f2', 'Failed', '2024-01-01T00:02:00Z'), job('r', 'running')];
  it.each([
    ['defaults: 3 succeeded, 1 failed kept', cj(), ['f1']],
    ['limit 1 succeeded: the two oldest go', cj(1, 1), ['c1', 'c2', 'f1']],
    ['limits 0: every finished Job goes, never a running one', cj(0, 0), ['c1', 'c2', 'c3', 'f1', 'f2']],
    ['limits above the counts: none', cj(5, 5), []],
  ])('%s', (_n, cronJob, want) => {
    expect(names(jobsOverHistoryLimits(cronJob, jobs))).toEqual(want);
  });
});

describe('compareByStartTime', () => {
  it.each([
    ['earlier start first', job('b', 'running', '2024-01-01T00:01:00Z'), job('a', 'running', '2024-01-01T00:02:00Z'), -1],
    ['no start time last', job('a', 'running'), job('b', 'running', '2024-01-01T00:02:00Z'), 1],
    ['same start: by name', job('a', 'running', '2024-01-01T00:01:00Z'), job('b', 'running', '2024-01-01T00:01:00Z'), -1],
  ])('%s', (_n, a, b, sign) => {
    expect(Math.sign(compareByStartTime(a, b))).toBe(sign);
  });
});
