import { describe, expect, it } from 'vitest';
import { nextFireTimes } from './next-fire-times.js';

describe('nextFireTimes', () => {
  it('lists the next runs of a 5-field schedule in UTC', () => {
    const after = new Date('2026-11-27T10:02:30Z');
    expect(nextFireTimes('0 */5 * * *', undefined, after, 3).map((d) => d.toISOString())).toEqual([
      '2026-11-27T15:00:00.000Z',
      '2026-11-27T20:00:00.000Z',
      '2026-11-28T00:00:00.000Z',
    ]);
  });
  it('follows a named zone across the spring-forward gap (the 02:30 run is skipped that day)', () => {
    const after = new Date('2026-03-07T12:00:00Z');
    const runs = nextFireTimes('30 2 * * *', 'America/New_York', after, 3).map((d) => d.toISOString());
    // 2026-03-08 is the spring-forward day in New York: 02:30 does not exist and is skipped.
    expect(runs).toEqual(['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z', '2026-03-11T06:30:00.000Z']);
  });
  it('understands macros', () => {
    expect(nextFireTimes('@daily', 'UTC', new Date('2026-01-01T05:00:00Z'), 1)[0]!.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
  it('rejects a schedule the API would reject', () => {
    expect(() => nextFireTimes('61 * * * *', undefined, new Date(), 1)).toThrow();
  });
});
