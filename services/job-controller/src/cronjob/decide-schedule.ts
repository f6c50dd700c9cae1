/**
 * The schedule step of a CronJob sync (Kubernetes cronjob_controllerv2.go `syncCronJob` after the
 * active list): whether to stop (being deleted, unknown zone, suspended, a schedule that does not
 * parse or never fires) and which start time is due now. Pure.
 */
import type { CronJob } from '@kjobs/api';
import { type CronSchedule, ScheduleError, parseSchedule, timeZoneError } from '@kjobs/api';
import type { CronJobEvent } from './decide-active.js';
import { mostRecentScheduleTime } from './schedule.js';

/** The result of {@link decideSchedule}. */
export type ScheduleStep =
  /** Go no further; `event`: the Warning saying why (none when deleted or suspended). */
  | { kind: 'stop'; warnings: CronJobEvent[]; event?: CronJobEvent }
  /** `scheduled`: the start time due now, or null when none is. */
  | { kind: 'schedule'; warnings: CronJobEvent[]; schedule: CronSchedule; scheduled: Date | null };

const warning = (reason: string, message: string): CronJobEvent => ({ type: 'Warning', reason, message });

/**
 * Decide the schedule step for `cj` (its status as reconciled) at `now`. Does:
 * 1. stop when being deleted, the zone is unknown (UnknownTimeZone), suspended, or the schedule
 *    does not parse (UnparseableSchedule);
 * 2. warn UnsupportedSchedule for CRON_TZ / TZ in the schedule;
 * 3. the most recent due start time (InvalidSchedule and stop when the schedule never fires;
 *    TooManyMissedTimes when more than 100 were missed).
 * `warnings` are recorded before the UnexpectedJob ones, `event` after them.
 */
export function decideSchedule(cj: CronJob, now: Date, defaultTimeZone: string): ScheduleStep {
  const warnings: CronJobEvent[] = [];
  if (cj.metadata.deletionTimestamp) return { kind: 'stop', warnings };
  const zoneErr = cj.spec.timeZone !== undefined ? timeZoneError(cj.spec.timeZone) : null;
  if (zoneErr) return { kind: 'stop', warnings, event: warning('UnknownTimeZone', `invalid timeZone: "${cj.spec.timeZone}": ${zoneErr}`) };
  if (cj.spec.suspend) return { kind: 'stop', warnings };
  let schedule: CronSchedule;
  try {
    schedule = parseSchedule(cj.spec.schedule, cj.spec.timeZone, defaultTimeZone);
  } catch (e) {
    return { kind: 'stop', warnings, event: warning('UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${e instanceof Error ? e.message : String(e)}`) };
  }
  if (cj.spec.schedule.includes('TZ')) {
    warnings.push(warning('UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${cj.spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`));
  }
  let due;
  try {
    due = mostRecentScheduleTime(cj, now, schedule, true);
  } catch (e) {
    return { kind: 'stop', warnings, event: warning('InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${e instanceof ScheduleError ? e.message : String(e)}`) };
  }
  const scheduled = due.mostRecent && due.mostRecent.getTime() <= now.getTime() ? due.mostRecent : null;
  if (scheduled && due.tooManyMissed) warnings.push(warning('TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew'));
  return { kind: 'schedule', warnings, schedule, scheduled };
}
