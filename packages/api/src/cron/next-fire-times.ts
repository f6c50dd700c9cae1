import { parseSchedule } from './cron-spec.js';

/**
 * The next `n` times a CronJob schedule fires after `after`, in the schedule's zone (Kubernetes'
 * robfig/cron semantics, including DST). Kubernetes has no way to preview a schedule; kjobs users
 * get one (`kjobs schedule`). Throws ScheduleError for a schedule or zone the API would reject.
 */
export function nextFireTimes(schedule: string, timeZone: string | undefined, after: Date, n: number): Date[] {
  const s = parseSchedule(schedule, timeZone);
  const out: Date[] = [];
  let t = after;
  while (out.length < n) {
    const next = s.next(t);
    if (!next) break;
    out.push(next);
    t = next;
  }
  return out;
}
