import { describe, expect, it } from 'vitest';
import { cpuMillis, esc, formatBytes, formatCpu, humanDuration, memoryBytes, parseQuantity, percent, relative } from './format.js';

describe('humanDuration (kubectl AGE/DURATION)', () => {
  it.each([
    [0, '0s'], [-5000, '0s'], [59_000, '59s'], [119_999, '119s'], [120_000, '2m'], [150_000, '2m30s'], [599_000, '9m59s'],
    [600_000, '10m'], [179 * 60_000, '179m'], [3 * 3600_000, '3h'], [3 * 3600_000 + 5 * 60_000, '3h5m'], [8 * 3600_000, '8h'],
    [47 * 3600_000, '47h'], [48 * 3600_000, '2d'], [50 * 3600_000, '2d2h'], [8 * 86_400_000, '8d'], [730 * 86_400_000, '2y'],
    [(730 + 10) * 86_400_000, '2y10d'], [9 * 365 * 86_400_000, '9y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('quantities', () => {
  it.each([
    ['100m', 0.1], ['1', 1], ['1.5', 1.5], ['64Mi', 64 * 2 ** 20], ['1Gi', 2 ** 30], ['2G', 2e9], ['1e3', 1000], ['128974848', 128974848],
    ['12k', 12_000], ['.5', 0.5],
  ])('%s = %d', (q, want) => {
    expect(parseQuantity(q)).toBeCloseTo(want, 9);
  });
  it('malformed or absent quantities count as nothing', () => {
    expect(parseQuantity('lots')).toBeNaN();
    expect(parseQuantity('1Qi')).toBeNaN();
    expect(cpuMillis(undefined)).toBe(0);
    expect(memoryBytes('x')).toBe(0);
  });
  it('CPU in millicores, memory in bytes, and back', () => {
    expect(cpuMillis('250m')).toBe(250);
    expect(cpuMillis('2')).toBe(2000);
    expect(formatCpu(250)).toBe('250m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(1500)).toBe('1.5');
    expect(memoryBytes('512Mi')).toBe(512 * 2 ** 20);
    expect(formatBytes(512 * 2 ** 20)).toBe('512Mi');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5Gi');
    expect(formatBytes(900)).toBe('900');
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
  });
});

describe('relative and esc', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('past, future and missing times', () => {
    expect(relative('2026-01-01T11:55:00Z', now)).toBe('5m ago');
    expect(relative('2026-01-01T15:00:00Z', now)).toBe('in 3h');
    expect(relative(undefined, now)).toBe('');
    expect(relative('not a time', now)).toBe('');
  });
  it('escapes everything that could open markup or an attribute', () => {
    expect(esc(`<img src=x onerror="a('b')">&`)).toBe('&#60;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&#62;&#38;');
    expect(esc(undefined)).toBe('');
  });
});
