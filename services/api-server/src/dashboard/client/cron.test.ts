import { describe, expect, it } from 'vitest';
import { nextRun } from './cron.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('nextRun', () => {
  it.each([
    // the chapter's CronJob: every fifth hour
    ['0 */5 * * *', 'UTC', '2026-03-01T03:10:00Z', '2026-03-01T05:00:00.000Z'],
    ['0 */5 * * *', 'UTC', '2026-03-01T20:00:00Z', '2026-03-02T00:00:00.000Z'],
    // strictly after: a run at exactly `after` is not next
    ['*/1 * * * *', 'UTC', '2026-03-01T03:10:00Z', '2026-03-01T03:11:00.000Z'],
    ['* * * * *', 'UTC', '2026-03-01T03:10:42.500Z', '2026-03-01T03:11:00.000Z'],
    ['@hourly', 'UTC', '2026-03-01T03:10:00Z', '2026-03-01T04:00:00.000Z'],
    ['@yearly', 'UTC', '2026-03-01T03:10:00Z', '2027-01-01T00:00:00.000Z'],
    ['@weekly', 'UTC', '2026-03-04T00:00:00Z', '2026-03-08T00:00:00.000Z'], // a Sunday
    // names, ranges and lists
    ['30 9 * jan-mar MON-FRI', 'UTC', '2026-03-06T10:00:00Z', '2026-03-09T09:30:00.000Z'], // Fri after 9:30 → Mon
    ['15,45 */6 1 * *', 'UTC', '2026-03-01T06:20:00Z', '2026-03-01T06:45:00.000Z'],
    // day-of-month OR day-of-week when both are restricted (robfig/cron, Vixie cron)
    ['0 0 13 * 5', 'UTC', '2026-03-01T00:00:00Z', '2026-03-06T00:00:00.000Z'], // Friday the 6th comes before the 13th
    // ... AND when either is "*"
    ['0 0 13 * *', 'UTC', '2026-03-01T00:00:00Z', '2026-03-13T00:00:00.000Z'],
    // a star with a step is not a star: OR applies
    ['0 0 */10 * 1', 'UTC', '2026-03-02T01:00:00Z', '2026-03-09T00:00:00.000Z'],
    // February 30th never comes
    ['0 0 30 2 *', 'UTC', '2026-01-01T00:00:00Z', null],
    // time zones: 02:30 New York is 07:30Z in winter
    ['30 2 * * *', 'America/New_York', '2026-01-10T00:00:00Z', '2026-01-10T07:30:00.000Z'],
    // spring forward skips 02:30 on 2026-03-08 in New York: the next run is the day after (06:30Z, EDT)
    ['30 2 * * *', 'America/New_York', '2026-03-08T05:00:00Z', '2026-03-09T06:30:00.000Z'],
    ['0 9 * * *', 'Asia/Kolkata', '2026-03-01T00:00:00Z', '2026-03-01T03:30:00.000Z'],
  ])('%s in %s after %s → %s', (schedule, tz, after, want) => {
    expect(iso(nextRun(schedule, tz, at(after)))).toBe(want);
  });

  it('@every counts from the last schedule time', () => {
    const since = at('2026-03-01T00:00:00Z');
    expect(iso(nextRun('@every 1h30m', undefined, at('2026-03-01T02:00:00Z'), since))).toBe('2026-03-01T03:00:00.000Z');
    expect(iso(nextRun('@every 90s', undefined, at('2026-03-01T00:00:30Z'), since))).toBe('2026-03-01T00:01:30.000Z');
    expect(nextRun('@every soon', undefined, since, since)).toBeNull();
  });

  it.each(['', '* * * *', '60 * * * *', '* * * * 7', '5-1 * * * *', '*/0 * * * *', 'a b c d e'])('no next run for the invalid schedule %j', (s) => {
    expect(nextRun(s, 'UTC', at('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('no next run in an unknown time zone', () => {
    expect(nextRun('* * * * *', 'Mars/Olympus_Mons', at('2026-03-01T00:00:00Z'))).toBeNull();
  });
});
