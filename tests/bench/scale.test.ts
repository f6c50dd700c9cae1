/**
 * The scale benchmark's pure parts: its arguments, the pods/s curve, the cost per item at the
 * start and the end of a long Job, and the growth exponent that says "worse than linear".
 */
import { describe, expect, it } from 'vitest';
import { costAtEnds, growthExponents, parseScaleArgs, quarterRates, rateSeries } from '../../bench/support/scale-math.js';
import { percentile, summarize } from '../../bench/support/util.js';

describe('parseScaleArgs', () => {
  it('runs all three sizes by default, smallest first', () => {
    expect(parseScaleArgs([])).toEqual({ sizes: [1000, 10_000, 100_000] });
  });

  it('takes --size repeated, comma-separated or with =, without duplicates', () => {
    expect(parseScaleArgs(['--size', '10000']).sizes).toEqual([10_000]);
    expect(parseScaleArgs(['--size', '100000', '--size=1000']).sizes).toEqual([1000, 100_000]);
    expect(parseScaleArgs(['--size', '1000,10000,1000']).sizes).toEqual([1000, 10_000]);
  });

  it('takes --job-completions and --cron-minutes', () => {
    expect(parseScaleArgs(['--size', '1000', '--job-completions', '500', '--cron-minutes=2'])).toEqual({ sizes: [1000], jobCompletions: 500, cronMinutes: 2 });
  });

  it('refuses other sizes, missing or bad numbers and unknown flags, with the usage', () => {
    expect(() => parseScaleArgs(['--size', '5000'])).toThrow(/one of 1000, 10000, 100000/);
    expect(() => parseScaleArgs(['--size'])).toThrow(/usage: npm run bench -- scale/);
    expect(() => parseScaleArgs(['--job-completions', '1e3'])).toThrow(/integer/);
    expect(() => parseScaleArgs(['--cron-minutes', '0'])).toThrow(/>= 1/);
    expect(() => parseScaleArgs(['--nodes', '3'])).toThrow(/unknown argument "--nodes"/);
    expect(parseScaleArgs(['--job-mode', 'NonIndexed']).jobModes).toEqual(['NonIndexed']);
    expect(() => parseScaleArgs(['--job-mode', 'indexed'])).toThrow(/Indexed or NonIndexed/);
  });
});

describe('the curves', () => {
  it('rateSeries is completions per second between samples', () => {
    expect(rateSeries([{ t_s: 0, done: 0 }, { t_s: 5, done: 500 }, { t_s: 10, done: 750 }, { t_s: 10, done: 800 }])).toEqual([{ t_s: 5, per_s: 100 }, { t_s: 10, per_s: 50 }]);
  });

  it('quarterRates splits by completions, not by time', () => {
    const samples = [{ t_s: 0, done: 0 }, { t_s: 10, done: 250 }, { t_s: 20, done: 500 }, { t_s: 25, done: 750 }, { t_s: 50, done: 1000 }];
    expect(quarterRates(samples, 1000)).toEqual([25, 25, 50, 10]);
    expect(quarterRates([{ t_s: 0, done: 0 }, { t_s: 1, done: 100 }], 1000).slice(1).every(Number.isNaN)).toBe(true);
  });

  it('costAtEnds is the cost per item over the first and the last tenth', () => {
    // CPU grows 1 s per 100 pods at first, 3 s per 100 pods at the end.
    const samples = [{ done: 0, cost: 0 }, { done: 100, cost: 1 }, { done: 500, cost: 5 }, { done: 900, cost: 9 }, { done: 1000, cost: 12 }];
    expect(costAtEnds(samples, 1000)).toEqual({ start: 0.01, end: 0.03 });
    expect(Number.isNaN(costAtEnds([{ done: 0, cost: 0 }], 1000).end)).toBe(true);
  });

  it('growthExponents: 1 for linear, 0 for flat, 2 for quadratic, skipping empty points', () => {
    const lin = growthExponents([{ n: 1000, v: 3 }, { n: 10_000, v: 30 }, { n: 100_000, v: 300 }]);
    expect(lin.map((k) => Number(k.toFixed(6)))).toEqual([1, 1]);
    expect(growthExponents([{ n: 10_000, v: 5 }, { n: 1000, v: 5 }])).toEqual([0]);
    expect(growthExponents([{ n: 1000, v: 1 }, { n: 10_000, v: 0 }, { n: 100_000, v: 10_000 }]).map((k) => Number(k.toFixed(6)))).toEqual([2]);
  });

  it('percentile and summarize (bench/util) pick nearest-rank values', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 50)).toBe(50);
    expect(summarize([5, 1, 3])).toEqual({ p50: 3, p99: 5, max: 5 });
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});
