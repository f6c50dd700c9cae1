export { type CronSchedule, ScheduleError, parseSchedule } from './cron-spec.js';
export { formatRfc1123Z, formatRfc3339InZone, timeZoneError, wallClock, zonedDate } from './zoned-time.js';
export { nextFireTimes } from './next-fire-times.js';
