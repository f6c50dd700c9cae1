import { describe, expect, it } from 'vitest';
import type { CronJob } from '@kjobs/api';
import { mostRecentScheduleTime, nextN, nextScheduleDelayMs, nextScheduleTime, parseSchedule } from './schedule.js';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('time zones and daylight-saving changes (America/New_York)', () => {
  it('spring forward: 02:30 does not exist on 2024-03-10, so that day is skipped (robfig/Kubernetes)', () => {
    expect(iso(nextN('30 2 * * *', 'America/New_York', new Date('2024-03-08T12:00:00Z'), 3))).toEqual([
      '2024-03-09T07:30:00.000Z', // 02:30 EST
      '2024-03-11T06:30:00.000Z', // 02:30 EDT
      '2024-03-12T06:30:00.000Z',
    ]);
  });

  it('spring forward: 03:00 happens one real hour after 01:00', () => {
    expect(iso(nextN('0 1,3 * * *', 'America/New_York', new Date('2024-03-10T05:00:00Z'), 2))).toEqual(['2024-03-10T06:00:00.000Z', '2024-03-10T07:00:00.000Z']);
  });

  it('fall back: 01:30 happens twice on 2024-11-03 and fires twice (robfig/Kubernetes)', () => {
    expect(iso(nextN('30 1 * * *', 'America/New_York', new Date('2024-11-02T12:00:00Z'), 3))).toEqual([
      '2024-11-03T05:30:00.000Z', // 01:30 EDT
      '2024-11-03T06:30:00.000Z', // 01:30 EST
      '2024-11-04T06:30:00.000Z',
    ]);
  });

  it('fall back: an hourly schedule fires every real hour through the change', () => {
    expect(iso(nextN('0 * * * *', 'America/New_York', new Date('2024-11-03T04:30:00Z'), 4))).toEqual([
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T06:00:00.000Z',
      '2024-11-03T07:00:00.000Z',
      '2024-11-03T08:00:00.000Z',
    ]);
  });

  it('a daily 09:00 stays at 09:00 local across the change', () => {
    expect(iso(nextN('0 9 * * *', 'America/New_York', new Date('2024-03-09T15:00:00Z'), 2))).toEqual(['2024-03-10T13:00:00.000Z', '2024-03-11T13:00:00.000Z']);
  });

  it('no timeZone means the controller zone, UTC', () => {
    expect(nextScheduleTime('0 9 * * *', undefined, new Date('2024-03-09T15:00:00Z'))?.toISOString()).toBe('2024-03-10T09:00:00.000Z');
  });

  it('Europe/Berlin weekday mornings across its own spring change', () => {
    expect(iso(nextN('0 9 * * 1-5', 'Europe/Berlin', new Date('2024-03-29T12:00:00Z'), 2))).toEqual(['2024-04-01T07:00:00.000Z', '2024-04-02T07:00:00.000Z']);
  });
});

const cronJob = (spec: Partial<CronJob['spec']>, status: CronJob['status'] = {}, created = '2024-01-01T00:00:00Z'): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: created },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec },
  status,
});

describe('mostRecentScheduleTime', () => {
  const every5 = parseSchedule('*/5 * * * *');
  it.each([
    ['nothing due yet', {}, '2024-01-01T00:04:59Z', undefined, null, 0],
    ['the first time is due', {}, '2024-01-01T00:05:00Z', undefined, '2024-01-01T00:05:00.000Z', 1],
    ['one due, next not yet', { lastScheduleTime: '2024-01-01T00:05:00Z' }, '2024-01-01T00:12:00Z', undefined, '2024-01-01T00:10:00.000Z', 1],
    ['missed windows: only the most recent starts', { lastScheduleTime: '2024-01-01T00:05:00Z' }, '2024-01-01T00:33:00Z', undefined, '2024-01-01T00:30:00.000Z', 5],
    ['startingDeadlineSeconds narrows the window', { lastScheduleTime: '2024-01-01T00:05:00Z' }, '2024-01-01T00:33:00Z', 120, null, 0],
    ['startingDeadlineSeconds still inside the window', { lastScheduleTime: '2024-01-01T00:05:00Z' }, '2024-01-01T00:31:00Z', 120, '2024-01-01T00:30:00.000Z', 1],
  ])('%s', (_n, status, now, sds, want, missed) => {
    const r = mostRecentScheduleTime(cronJob(sds === undefined ? {} : { startingDeadlineSeconds: sds }, status), new Date(now), every5);
    expect(r.mostRecent?.toISOString() ?? null).toBe(want);
    expect(r.missed).toBe(missed);
    expect(r.tooManyMissed).toBe(false);
  });

  it('more than 100 missed times: flagged, and the most recent still starts', () => {
    const r = mostRecentScheduleTime(cronJob({}, { lastScheduleTime: '2024-01-01T00:00:00Z' }), new Date('2024-01-02T10:07:00Z'), every5);
    expect(r.missed).toBeGreaterThan(100);
    expect(r.tooManyMissed).toBe(true);
    expect(r.mostRecent?.toISOString()).toBe('2024-01-02T10:05:00.000Z');
  });

  it('finds the most recent time of an irregular schedule (weekdays) after a long gap', () => {
    const weekdays = parseSchedule('0 9 * * 1-5');
    // last run Monday; now Saturday: the due time is Friday 09:00
    const r = mostRecentScheduleTime(cronJob({ schedule: '0 9 * * 1-5' }, { lastScheduleTime: '2024-09-02T09:00:00Z' }), new Date('2024-09-07T10:00:00Z'), weekdays);
    expect(r.mostRecent?.toISOString()).toBe('2024-09-06T09:00:00.000Z');
  });

  it('a schedule that never fires is invalid', () => {
    expect(() => mostRecentScheduleTime(cronJob({ schedule: '0 0 31 2 *' }), new Date('2024-06-01T00:00:00Z'), parseSchedule('0 0 31 2 *'))).toThrow(
      'time difference between two schedules is less than 1 second',
    );
  });
});

describe('nextScheduleDelayMs', () => {
  const every5 = parseSchedule('*/5 * * * *');
  it.each([
    ['wakes at the next fire time + 100 ms', {}, '2024-01-01T00:03:00Z', 2 * 60_000 + 100],
    ['after a start, the following one', { lastScheduleTime: '2024-01-01T00:05:00Z' }, '2024-01-01T00:05:01Z', 4 * 60_000 + 59_000 + 100],
    ['after missed times, the next one after now', { lastScheduleTime: '2024-01-01T00:05:00Z' }, '2024-01-01T00:33:00Z', 2 * 60_000 + 100],
  ])('%s', (_n, status, now, ms) => {
    expect(nextScheduleDelayMs(cronJob({}, status), new Date(now), every5)).toBe(ms);
  });
});
