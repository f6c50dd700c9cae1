import { describe, expect, it } from 'vitest';
import { type BackoffEntry, DEFAULT_BACKOFF, crashLoopMessage, formatGoDuration, isInBackOffSince, nextBackoff, restartAllowedAt } from './backoff.js';

describe('crash-loop backoff', () => {
  /** Simulate a container that crashes `runMs` after every start; return the delays before each restart. */
  function delays(crashes: number, runMs: number, opts = DEFAULT_BACKOFF): number[] {
    let entry: BackoffEntry | undefined;
    let now = 0;
    const out: number[] = [];
    for (let i = 0; i < crashes; i++) {
      now += runMs;
      const finished = now;
      const at = restartAllowedAt(entry, finished, now, opts);
      out.push(at - finished);
      now = at;
      entry = nextBackoff(entry, finished, now, opts);
    }
    return out;
  }

  it('restarts at once, then after 10, 20, 40, 80, 160 s, then 300 s capped', () => {
    expect(delays(9, 1000).map((ms) => ms / 1000)).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('an injected base keeps the doubling', () => {
    expect(delays(6, 5, { initialMs: 50, maxMs: 300 })).toEqual([0, 50, 100, 200, 300, 300]);
  });

  it('resets after the container ran longer than 2 × max (10 minutes)', () => {
    let entry: BackoffEntry | undefined = { backoffMs: 160_000, lastUpdateMs: 0 };
    const finished = 600_001;
    expect(isInBackOffSince(entry, finished, finished, DEFAULT_BACKOFF)).toBe(false);
    entry = nextBackoff(entry, finished, finished, DEFAULT_BACKOFF);
    expect(entry.backoffMs).toBe(10_000);
  });

  it.each<[BackoffEntry | undefined, number, number, boolean]>([
    [undefined, 0, 0, false],
    [{ backoffMs: 10_000, lastUpdateMs: 0 }, 1000, 1000, true],
    [{ backoffMs: 10_000, lastUpdateMs: 0 }, 1000, 10_999, true],
    [{ backoffMs: 10_000, lastUpdateMs: 0 }, 1000, 11_000, false],
    [{ backoffMs: 10_000, lastUpdateMs: 0 }, 600_000, 600_001, true],
    [{ backoffMs: 10_000, lastUpdateMs: 0 }, 600_001, 600_002, false],
  ])('isInBackOffSince(%j, finished=%d, now=%d) = %s', (entry, finished, now, want) => {
    expect(isInBackOffSince(entry, finished, now, DEFAULT_BACKOFF)).toBe(want);
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [50, '50ms'],
    [10_000, '10s'],
    [1500, '1.5s'],
    [80_000, '1m20s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
  ])('%d ms → %s', (ms, want) => {
    expect(formatGoDuration(ms)).toBe(want);
  });

  it('words the CrashLoopBackOff message like the kubelet', () => {
    expect(crashLoopMessage(20_000, 'kuard', 'oneshot-abc', 'default', 'u-1')).toBe('back-off 20s restarting failed container=kuard pod=oneshot-abc_default(u-1)');
  });
});
