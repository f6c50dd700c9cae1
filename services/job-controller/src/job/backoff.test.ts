import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextBackoffRecord, remainingBackoffMs, remainingIndexBackoffMs } from './backoff.js';
import { at, makeJob, makePod } from './test-fixtures.js';

const job = makeJob();
const failedAt = (s: number) => makePod(job, `f${s}`, { phase: 'Failed', finishedAt: s });
const succeededAt = (s: number) => makePod(job, `s${s}`, { phase: 'Succeeded', finishedAt: s });

describe('backoffDelayMs', () => {
  it.each([
    [0, 0],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [6, 320_000],
    [7, 600_000],
    [30, 600_000],
  ])('after %i consecutive failures waits %i ms (10 s doubling, 10 min cap)', (n, ms) => {
    expect(backoffDelayMs(n)).toBe(ms);
  });
});

describe('remainingBackoffMs', () => {
  it.each([
    ['no failures', 0, null, 0, 0],
    ['first failure, 3 s ago', 1, 0, 3_000, 7_000],
    ['second failure, 25 s ago', 2, 0, 25_000, 0],
    ['third failure, just now', 3, 5_000, 5_000, 40_000],
  ])('%s', (_name, failures, last, now, want) => {
    expect(remainingBackoffMs(failures, last, now)).toBe(want);
  });
});

describe('nextBackoffRecord', () => {
  it('adds new failures and takes the latest finish time', () => {
    const r = nextBackoffRecord({ failuresAfterLastSuccess: 1, lastFailureTimeMs: at(1).getTime() }, [], [failedAt(20), failedAt(5)]);
    expect(r).toEqual({ failuresAfterLastSuccess: 3, lastFailureTimeMs: at(20).getTime() });
  });

  it('resets on a success and counts only failures after the latest success', () => {
    const r = nextBackoffRecord({ failuresAfterLastSuccess: 4, lastFailureTimeMs: 0 }, [succeededAt(10)], [failedAt(5), failedAt(12), failedAt(15)]);
    expect(r).toEqual({ failuresAfterLastSuccess: 2, lastFailureTimeMs: at(15).getTime() });
  });

  it('a success alone clears the record', () => {
    expect(nextBackoffRecord({ failuresAfterLastSuccess: 4, lastFailureTimeMs: 0 }, [succeededAt(10)], [])).toEqual({ failuresAfterLastSuccess: 0, lastFailureTimeMs: null });
  });

  it('uses deletionTimestamp minus grace period for a deleted pod without finish times', () => {
    const p = makePod(job, 'd', { phase: 'Running', deletedAt: 100 });
    p.status!.containerStatuses = [];
    expect(nextBackoffRecord(undefined, [], [p]).lastFailureTimeMs).toBe(at(70).getTime());
  });
});

describe('remainingIndexBackoffMs', () => {
  it('uses the failed pod’s failure count + 1 and its finish time', () => {
    const p = makePod(job, 'x', { phase: 'Failed', finishedAt: 0, indexFailureCount: 1 });
    expect(remainingIndexBackoffMs(p, at(5).getTime())).toBe(15_000);
    expect(remainingIndexBackoffMs(undefined, at(5).getTime())).toBe(0);
  });
});
