import { describe, expect, it } from 'vitest';
import { goDurationMs, parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['1h30m', 5400e9],
    ['1.5h', 5400e9],
    ['300ms', 300e6],
    ['2us', 2000],
    ['-1s', -1e9],
    ['0', 0],
  ])('%s', (s, ns) => {
    expect(parseGoDuration(s)).toBe(ns);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['h', 'time: invalid duration "h"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
  ])('%j fails', (s, msg) => {
    expect(() => parseGoDuration(s)).toThrowError(msg);
  });
});

describe('goDurationMs', () => {
  it.each([
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
  ])('%s = %i ms', (s, ms) => {
    expect(goDurationMs(s)).toBe(ms);
  });

  it('is undefined for text that is not a duration', () => {
    expect(goDurationMs('soon')).toBeUndefined();
  });
});
