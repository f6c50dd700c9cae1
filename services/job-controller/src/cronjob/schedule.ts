/**
 * CronJob schedule arithmetic (Kubernetes pkg/controller/cronjob/utils.go): the next fire times,
 * the most recent missed start time (with the >100 missed warning), and when to wake up next.
 * Parsing and `Next()` live in cron-spec.ts.
 */
import type { CronJob } from '@kjobs/api';
import { type CronSchedule, ScheduleError, parseSchedule } from '@kjobs/api';

export { type CronSchedule, ScheduleError, parseGoDuration, parseSchedule } from '@kjobs/api';

/** Padding added to every wake-up so clock skew never lands us just before the fire time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed start times than this raise the TooManyMissedTimes warning. */
export const TOO_MANY_MISSED = 100;

function timeMs(t: string | null | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** The next activation after `after` (null if none within five years). Throws {@link ScheduleError}. */
export function nextScheduleTime(schedule: string, timeZone: string | undefined, after: Date): Date | null {
  return parseSchedule(schedule, timeZone).next(after);
}

/** The next `n` activations after `after` (fewer if the schedule runs out) — the preview feature. */
export function nextN(schedule: string, timeZone: string | undefined, after: Date, n: number): Date[] {
  const s = parseSchedule(schedule, timeZone);
  const out: Date[] = [];
  let t: Date | null = after;
  while (out.length < n && t) {
    t = s.next(t);
    if (t) out.push(t);
  }
  return out;
}

/** The result of {@link mostRecentScheduleTime}. */
export interface MostRecentSchedule {
  /** lastScheduleTime ?? creationTimestamp, raised to now - startingDeadlineSeconds if given. */
  earliest: Date;
  /** The latest start time ≤ now after `earliest`, or null when none is due. */
  mostRecent: Date | null;
  /** Kubernetes' estimate of how many start times were missed (0 = none due). */
  missed: number;
  /** missed > 100: warn TooManyMissedTimes (the most recent one still starts). */
  tooManyMissed: boolean;
}

const INVALID_INTERVAL = 'time difference between two schedules is less than 1 second';

/**
 * `mostRecentScheduleTime` (Kubernetes utils.go):
 * 1. earliest = lastScheduleTime ?? creationTimestamp; with `includeStartingDeadline` and
 *    startingDeadlineSeconds, earliest = max(earliest, now - SDS);
 * 2. t1 = Next(earliest), t2 = Next(t1); now < t1 → none due; now < t2 → t1 is due;
 * 3. otherwise interval = t2 - t1 (< 1 s → ScheduleError), missed = (now - t1)/interval + 1, and
 *    the most recent time is found by stepping from t1 + (missed-2)·interval; missed > 100 is
 *    flagged. (If that fast-forward overshoots on an irregular schedule — Kubernetes then reports
 *    nothing due — we walk from t1 instead, bounded.)
 */
export function mostRecentScheduleTime(cj: CronJob, now: Date, schedule: CronSchedule, includeStartingDeadline = true): MostRecentSchedule {
  let earliestMs = timeMs(cj.status?.lastScheduleTime) || timeMs(cj.metadata.creationTimestamp) || now.getTime();
  const sds = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && sds !== undefined && sds !== null) {
    earliestMs = Math.max(earliestMs, now.getTime() - sds * 1000);
  }
  const earliest = new Date(earliestMs);
  const nowMs = now.getTime();
  const t1 = schedule.next(earliest);
  if (t1 && nowMs < t1.getTime()) return { earliest, mostRecent: null, missed: 0, tooManyMissed: false };
  const t2 = t1 ? schedule.next(t1) : null;
  if (t1 && t2 && nowMs < t2.getTime()) return { earliest, mostRecent: t1, missed: 1, tooManyMissed: false };
  if (!t1 || !t2) throw new ScheduleError(INVALID_INTERVAL);
  const interval = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (interval < 1) throw new ScheduleError(INVALID_INTERVAL);
  const elapsed = Math.trunc((nowMs - t1.getTime()) / 1000);
  const missed = Math.floor(elapsed / interval) + 1;
  let mostRecent: Date | null = null;
  const potentialEarliest = new Date(t1.getTime() + (missed - 2) * interval * 1000);
  for (let t = schedule.next(potentialEarliest); t && t.getTime() <= nowMs; t = schedule.next(t)) mostRecent = t;
  if (!mostRecent) {
    for (let t: Date | null = t1, i = 0; t && t.getTime() <= nowMs && i < 100_000; t = schedule.next(t), i++) mostRecent = t;
  }
  return { earliest, mostRecent, missed, tooManyMissed: missed > TOO_MANY_MISSED };
}

/**
 * How long until the controller should look at the CronJob again (`nextScheduleTimeDuration`):
 * Next(most recent start, or earliest when none was missed, or now) + 100 ms - now. Null when the
 * schedule never fires again.
 */
export function nextScheduleDelayMs(cj: CronJob, now: Date, schedule: CronSchedule): number | null {
  let from: Date;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 0 ? r.earliest : now);
  } catch {
    from = now;
  }
  const next = schedule.next(from);
  return next ? next.getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime() : null;
}
