import { describe, expect, it } from 'vitest';
import { formatRfc3339InZone, timeZoneError, wallClock, zonedDate } from './zoned-time.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('zonedDate (Go time.Date)', () => {
  it.each([
    ['plain time in New York winter', 'America/New_York', [2024, 1, 15, 9, 0, 0], '2024-01-15T14:00:00.000Z'],
    ['plain time in New York summer', 'America/New_York', [2024, 7, 15, 9, 0, 0], '2024-07-15T13:00:00.000Z'],
    ['month 13 carries into next year', 'UTC', [2024, 13, 1, 0, 0, 0], '2025-01-01T00:00:00.000Z'],
    ['day 32 carries into next month', 'Europe/Berlin', [2024, 1, 32, 0, 0, 0], '2024-01-31T23:00:00.000Z'],
    ['02:30 in the spring-forward gap resolves like Go (01:30 EST)', 'America/New_York', [2024, 3, 10, 2, 30, 0], '2024-03-10T06:30:00.000Z'],
    ['01:30 in the fall-back overlap takes the first (EDT) occurrence', 'America/New_York', [2024, 11, 3, 1, 30, 0], '2024-11-03T05:30:00.000Z'],
    ['half-hour zone', 'Asia/Kolkata', [2024, 1, 1, 0, 0, 0], '2023-12-31T18:30:00.000Z'],
  ])('%s', (_n, tz, [y, mo, d, h, mi, s], want) => {
    expect(iso(zonedDate(tz as string, y!, mo!, d!, h!, mi!, s!))).toBe(want);
  });
});

describe('wallClock', () => {
  it('reads the wall clock and weekday in the zone', () => {
    expect(wallClock(Date.parse('2024-11-03T06:30:00Z'), 'America/New_York')).toEqual({ year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0, weekday: 0 });
    expect(wallClock(Date.parse('2024-01-01T00:00:00Z'), 'Pacific/Kiritimati')).toMatchObject({ day: 1, hour: 14 });
  });
});

describe('formatting', () => {
  it('formats RFC 3339 with the zone offset, Z for UTC', () => {
    expect(formatRfc3339InZone(Date.parse('2024-03-10T07:30:00Z'), 'America/New_York')).toBe('2024-03-10T03:30:00-04:00');
    expect(formatRfc3339InZone(Date.parse('2024-03-10T07:30:00Z'), 'UTC')).toBe('2024-03-10T07:30:00Z');
    expect(formatRfc3339InZone(Date.parse('2024-03-10T07:30:00Z'), 'Asia/Kolkata')).toBe('2024-03-10T13:00:00+05:30');
  });
});

describe('timeZoneError', () => {
  it.each([
    ['America/New_York', null],
    ['UTC', null],
    ['Local', 'unknown time zone Local'],
    ['Mars/Olympus', 'unknown time zone Mars/Olympus'],
  ])('%s → %s', (tz, want) => {
    expect(timeZoneError(tz)).toBe(want);
  });
});
