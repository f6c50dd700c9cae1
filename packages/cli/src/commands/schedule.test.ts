import { describe, expect, it } from 'vitest';
import { formatTimes } from './schedule.js';

describe('formatTimes', () => {
  const now = new Date('2026-11-27T19:59:30Z');
  it('prints each fire time in the zone, in UTC, and how far away', () => {
    expect(formatTimes('0 */5 * * *', undefined, now, 2)).toBe(
      '2026-11-27 20:00:00 +00:00   2026-11-27T20:00:00Z   in 30s\n' +
      '2026-11-28 00:00:00 +00:00   2026-11-28T00:00:00Z   in 4h\n',
    );
  });
  it('uses the time zone of the schedule', () => {
    const out = formatTimes('30 2 * * *', 'America/New_York', new Date('2026-03-07T12:00:00Z'), 1);
    expect(out).toMatch(/^2026-03-09 02:30:00 -04:00\s+2026-03-09T06:30:00Z\s+in 1d18h30m\n$/);
  });
  it('throws for a schedule the API would reject', () => {
    expect(() => formatTimes('every minute', undefined, now, 1)).toThrow();
  });
});
