import { describe, expect, it } from 'vitest';
import type { CronJob } from '@kjobs/api';
import { decideSchedule } from './decide-schedule.js';

const cronJob = (spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}, meta: Partial<CronJob['metadata']> = {}): CronJob => ({
  metadata: { name: 'hello', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z', ...meta },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec },
  status,
});
const now = new Date('2024-01-01T00:07:00Z');
const summary = (s: ReturnType<typeof decideSchedule>) => ({
  kind: s.kind,
  warnings: s.warnings.map((w) => w.reason),
  event: s.kind === 'stop' ? s.event?.reason : undefined,
  scheduled: s.kind === 'schedule' ? s.scheduled?.toISOString() ?? null : undefined,
});

describe('decideSchedule', () => {
  it.each([
    ['being deleted: stop, no event', cronJob({}, {}, { deletionTimestamp: '2024-01-01T00:01:00Z' }), { kind: 'stop', warnings: [], event: undefined, scheduled: undefined }],
    ['suspended: stop, no event', cronJob({ suspend: true }), { kind: 'stop', warnings: [], event: undefined, scheduled: undefined }],
    ['unknown zone: stop with UnknownTimeZone', cronJob({ timeZone: 'Mars/Olympus' }), { kind: 'stop', warnings: [], event: 'UnknownTimeZone', scheduled: undefined }],
    ['unparseable: stop with UnparseableSchedule', cronJob({ schedule: '* *' }), { kind: 'stop', warnings: [], event: 'UnparseableSchedule', scheduled: undefined }],
    ['never fires: stop with InvalidSchedule', cronJob({ schedule: '0 0 31 2 *' }), { kind: 'stop', warnings: [], event: 'InvalidSchedule', scheduled: undefined }],
    ['due: the most recent time', cronJob(), { kind: 'schedule', warnings: [], event: undefined, scheduled: '2024-01-01T00:05:00.000Z' }],
    ['nothing due yet', cronJob({}, { lastScheduleTime: '2024-01-01T00:05:00Z' }), { kind: 'schedule', warnings: [], event: undefined, scheduled: null }],
    ['CRON_TZ warns UnsupportedSchedule and still schedules', cronJob({ schedule: 'CRON_TZ=UTC */5 * * * *' }), { kind: 'schedule', warnings: ['UnsupportedSchedule'], event: undefined, scheduled: '2024-01-01T00:05:00.000Z' }],
    ['over 100 missed: TooManyMissedTimes', cronJob({}, { lastScheduleTime: '2023-12-31T00:00:00Z' }), { kind: 'schedule', warnings: ['TooManyMissedTimes'], event: undefined, scheduled: '2024-01-01T00:05:00.000Z' }],
  ])('%s', (_n, cj, want) => {
    expect(summary(decideSchedule(cj, now, 'UTC'))).toEqual(want);
  });
});
