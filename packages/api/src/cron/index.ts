export { type CronSchedule, ScheduleError, parseSchedule } from './cron-spec.js';
export { type CronFields, type CronSpec, parseCronSpec } from './cron-grammar.js';
export { formatRfc3339InZone, timeZoneError, wallClock, zonedDate } from './zoned-time.js';
export { nextFireTimes } from './next-fire-times.js';
