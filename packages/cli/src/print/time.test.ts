import { describe, expect, it } from 'vitest';
import { ageSince, formatRFC1123Z, humanDuration, parseDuration } from './time.js';

describe('humanDuration (k8s duration.HumanDuration)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  it.each([
    [-3 * s, '<invalid>'], [-1500, '0s'], [0, '0s'], [59 * s, '59s'], [119 * s, '119s'], [2 * m, '2m'],
    [2 * m + 30 * s, '2m30s'], [9 * m + 59 * s, '9m59s'], [10 * m + 30 * s, '10m'], [179 * m, '179m'], [3 * h, '3h'],
    [3 * h + 10 * m, '3h10m'], [8 * h + 5 * m, '8h'], [47 * h, '47h'], [2 * d, '2d'], [3 * d + 2 * h, '3d2h'],
    [8 * d, '8d'], [400 * d, '400d'], [730 * d, '2y'], [740 * d, '2y10d'], [9 * 365 * d, '9y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('ageSince', () => {
  const now = new Date('2026-11-27T19:00:00Z');
  it.each([
    ['2026-11-27T18:59:30Z', '30s'],
    ['2026-11-27T17:00:00Z', '120m'],
    [undefined, '<unknown>'],
    ['not a time', '<unknown>'],
  ])('%s → %s', (t, want) => {
    expect(ageSince(t, now)).toBe(want);
  });
});

describe('formatRFC1123Z (Go time.RFC1123Z)', () => {
  it.each([
    ['2021-06-03T04:23:23Z', -420, 'Wed, 02 Jun 2021 21:23:23 -0700'],
    ['2021-06-03T04:23:23Z', 0, 'Thu, 03 Jun 2021 04:23:23 +0000'],
    ['2026-01-01T00:00:05Z', 330, 'Thu, 01 Jan 2026 05:30:05 +0530'],
  ])('%s at %d → %s', (t, off, want) => {
    expect(formatRFC1123Z(t, off)).toBe(want);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000], ['1m30s', 90_000], ['2h', 7_200_000], ['500ms', 500], ['0', 0], ['0s', 0], ['-1s', -1000], ['1.5s', 1500],
    ['', undefined], ['abc', undefined], ['10x', undefined], ['5s trailing', undefined],
  ])('%s → %s', (text, want) => {
    expect(parseDuration(text)).toBe(want);
  });
});
