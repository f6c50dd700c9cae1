import { describe, expect, it } from 'vitest';
import { type LogOptions, formatLogs, formatRfc3339Nano, parseTimes, timeOfByte } from './logs.js';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const log = Buffer.from('one\ntwo\nthree\nfour'); // lines start at 0, 4, 8, 14
// bytes < 8 seen at T, < 14 at T+1000, the rest at T+2000
const times = parseTimes(`8 ${T}\n14 ${T + 1000}\n18 ${T + 2000}\n`);

describe('formatRfc3339Nano', () => {
  it.each([
    [T, '2026-01-01T00:00:00Z'],
    [T + 120, '2026-01-01T00:00:00.12Z'],
    [T + 5, '2026-01-01T00:00:00.005Z'],
  ])('%d → %s', (ms, want) => {
    expect(formatRfc3339Nano(ms)).toBe(want);
  });
});

describe('timeOfByte', () => {
  it.each([
    [0, T],
    [7, T],
    [8, T + 1000],
    [17, T + 2000],
    [18, 42],
  ])('byte %d → %d', (byte, want) => {
    expect(timeOfByte(times, byte, 42)).toBe(want);
  });
});

describe('formatLogs', () => {
  it.each<[string, LogOptions, string]>([
    ['all', {}, 'one\ntwo\nthree\nfour'],
    ['tail 2', { tailLines: 2 }, 'three\nfour'],
    ['tail 0', { tailLines: 0 }, ''],
    ['tail larger than the log', { tailLines: 10 }, 'one\ntwo\nthree\nfour'],
    ['limitBytes', { limitBytes: 6 }, 'one\ntw'],
    ['sinceSeconds keeps lines seen at or after now-since', { sinceSeconds: 2 }, 'three\nfour'],
    ['sinceTime', { sinceTime: new Date(T + 2000).toISOString() }, 'four'],
    ['timestamps', { timestamps: true, tailLines: 2 }, '2026-01-01T00:00:01Z three\n2026-01-01T00:00:02Z four'],
    ['since → tail → timestamps → limit', { sinceSeconds: 3, tailLines: 2, timestamps: true, limitBytes: 25 }, '2026-01-01T00:00:01Z thre'],
  ])('%s', (_n, opts, want) => {
    expect(formatLogs(log, times, opts, T + 3000, T + 5000).toString()).toBe(want);
  });

  it('stamps bytes not yet recorded with the fallback time', () => {
    expect(formatLogs(Buffer.from('x\n'), [], { timestamps: true }, T, T + 7).toString()).toBe('2026-01-01T00:00:00.007Z x\n');
  });
});
