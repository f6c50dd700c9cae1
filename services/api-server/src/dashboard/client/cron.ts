/**
 * When a CronJob runs next, for display: the schedule parsed and walked by @kjobs/api exactly as
 * the CronJob controller does (robfig/cron `ParseStandard`, the day-of-month/day-of-week OR rule,
 * DST on the wall clock of `spec.timeZone`, or the browser's zone). esbuild keeps only the cron
 * modules of @kjobs/api in the bundle.
 */
import { type CronSchedule, parseSchedule } from '@kjobs/api';

/** This browser's IANA zone (the zone a CronJob without `spec.timeZone` is shown in). */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * The first run strictly after `after` (ms), or null when the schedule does not parse or has no
 * run within five years. `@every d` counts from `since` (the last schedule time or creation).
 */
export function nextRun(schedule: string, timeZone: string | undefined, after: number, since?: number): number | null {
  let s: CronSchedule;
  try {
    s = parseSchedule(schedule, timeZone, localZone());
  } catch {
    return null;
  }
  if (s.everyMs !== undefined) {
    const d = s.everyMs;
    const from = since ?? after;
    return from > after ? from + d : from + (Math.floor((after - from) / d) + 1) * d;
  }
  return s.next(new Date(after))?.getTime() ?? null;
}
