import { describe, expect, it } from 'vitest';
import type { Job } from '@kjobs/api';
import { etaMs, isFinished, jobProgress, progressKey, renderProgressBar, renderProgressLine, type JobProgress } from './progress.js';

const START = '2026-11-27T19:00:00Z';
const at = (s: number) => Date.parse(START) + s * 1000;
const p = (over: Partial<JobProgress>): JobProgress => ({
  name: 'parallel', succeeded: 0, failed: 0, active: 0, completions: 10, state: 'Running', startTime: START, ...over,
});

describe('jobProgress', () => {
  const job = (status: Job['status'], completions: number | null = 10): Job => ({
    metadata: { name: 'parallel' }, spec: { ...(completions === null ? {} : { completions }), template: { spec: { containers: [] } } }, status,
  });
  it.each([
    { name: 'pending (not started)', job: job({}), want: { state: 'Pending', completions: 10 } },
    { name: 'running with counters', job: job({ startTime: START, active: 5, succeeded: 3, failed: 1 }), want: { state: 'Running', active: 5, succeeded: 3, failed: 1 } },
    { name: 'complete', job: job({ startTime: START, succeeded: 10, conditions: [{ type: 'Complete', status: 'True' }] }), want: { state: 'Complete' } },
    { name: 'failed', job: job({ startTime: START, failed: 7, conditions: [{ type: 'Failed', status: 'True' }] }), want: { state: 'Failed' } },
    { name: 'a False condition does not count', job: job({ startTime: START, conditions: [{ type: 'Complete', status: 'False' }] }), want: { state: 'Running' } },
    { name: 'suspended', job: job({ conditions: [{ type: 'Suspended', status: 'True' }] }), want: { state: 'Suspended' } },
    { name: 'work queue (no completions)', job: job({ startTime: START }, null), want: { completions: null } },
  ])('$name', ({ job: j, want }) => {
    expect(jobProgress(j)).toMatchObject(want);
  });
});

describe('ETA', () => {
  it.each([
    { name: 'nothing succeeded yet: unknown', p: p({ succeeded: 0 }), now: at(30), want: undefined },
    { name: 'linear from the rate so far', p: p({ succeeded: 4 }), now: at(20), want: 30_000 },
    { name: 'work queue: unknown', p: p({ succeeded: 4, completions: null }), now: at(20), want: undefined },
    { name: 'finished: none', p: p({ succeeded: 10, state: 'Complete' }), now: at(20), want: undefined },
  ])('$name', ({ p: x, now, want }) => {
    expect(etaMs(x, now)).toBe(want);
  });
});

describe('renderProgressBar (TTY)', () => {
  it.each([
    { name: 'empty', p: p({ active: 5 }), now: at(3), cols: 80, want: 'parallel [░░░░░░░░░░]  0/10  active 5  failed 0  elapsed 3s  Running' },
    { name: 'partly done with ETA', p: p({ succeeded: 4, active: 5, failed: 1 }), now: at(20), cols: 80, want: 'parallel [████░░░░░░]  4/10  active 5  failed 1  elapsed 20s  eta 30s  Running' },
    { name: 'complete', p: p({ succeeded: 10, state: 'Complete', completionTime: '2026-11-27T19:00:48Z' }), now: at(99), cols: 80, want: 'parallel [██████████]  10/10  active 0  failed 0  elapsed 48s  Complete' },
    { name: 'narrow terminal: at least 10 cells, the line cut to fit', p: p({ succeeded: 5 }), now: at(10), cols: 60, want: 'parallel [█████░░░░░]  5/10  active 0  failed 0  elapsed 10' },
    { name: 'wide terminal caps at 40 cells', p: p({ succeeded: 5 }), now: at(10), cols: 200, want: `parallel [${'█'.repeat(20)}${'░'.repeat(20)}]  5/10  active 0  failed 0  elapsed 10s  eta 10s  Running` },
    { name: 'work queue: no bar', p: p({ completions: null, succeeded: 1, active: 4, name: 'consumers' }), now: at(62), cols: 80, want: 'consumers  1 succeeded (work queue)  active 4  failed 0  elapsed 62s  Running' },
  ])('$name', ({ p: x, now, cols, want }) => {
    expect(renderProgressBar(x, now, { columns: cols })).toBe(want);
  });

  it('colours the state word only when asked', () => {
    expect(renderProgressBar(p({ state: 'Failed', failed: 7 }), at(5), { color: true })).toMatch(/\x1b\[31mFailed\x1b\[0m$/);
  });
});

describe('renderProgressLine (not a TTY)', () => {
  it.each([
    { p: p({ succeeded: 4, active: 5 }), now: at(20), want: 'parallel: Running, 4/10 succeeded, 5 active, 0 failed, elapsed 20s, eta 30s' },
    { p: p({ succeeded: 10, state: 'Complete', completionTime: '2026-11-27T19:00:48Z' }), now: at(99), want: 'parallel: Complete, 10/10 succeeded, 0 failed, took 48s' },
    { p: p({ state: 'Pending', startTime: undefined }), now: at(99), want: 'parallel: Pending, 0/10 succeeded, 0 active, 0 failed, elapsed 0s' },
  ])('$want', ({ p: x, now, want }) => {
    expect(renderProgressLine(x, now)).toBe(want);
  });

  it('progressKey changes only with the counters or state', () => {
    expect(progressKey(p({ succeeded: 1 }))).toBe(progressKey(p({ succeeded: 1, startTime: '2020-01-01T00:00:00Z' })));
    expect(progressKey(p({ succeeded: 1 }))).not.toBe(progressKey(p({ succeeded: 2 })));
    expect(isFinished(p({ state: 'Failed' }))).toBe(true);
    expect(isFinished(p({ state: 'FailureTarget' }))).toBe(false);
  });
});
