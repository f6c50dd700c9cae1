/**
 * When a cron schedule fires, with the semantics Kubernetes gets from robfig/cron v3: the grammar
 * of cron-grammar.ts, the day-of-month/day-of-week OR rule, and `Next()` walked on the wall clock
 * of `spec.timeZone` exactly as robfig walks it (so DST changes behave as in Kubernetes: a time
 * skipped by spring-forward does not fire that day; a time repeated by fall-back fires twice).
 */
import { type CronFields, ScheduleError, parseCronSpec } from './cron-grammar.js';
import { timeZoneError, wallClock, zonedDate } from './zoned-time.js';

export { ScheduleError } from './cron-grammar.js';

/** A parsed schedule bound to a time zone. */
export interface CronSchedule {
  /** The IANA zone the fields are read in. */
  readonly timeZone: string;
  /** For `@every`: the constant delay in ms (whole seconds); undefined for field schedules. */
  readonly everyMs?: number;
  /** The first activation strictly after `after` (whole seconds), or null if none within five years. */
  next(after: Date): Date | null;
}

class SpecSchedule implements CronSchedule {
  constructor(
    readonly timeZone: string,
    private readonly f: CronFields,
  ) {}

  /** robfig dayMatches: both restricted → either may match; otherwise both must. */
  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = this.f.dom.has(day);
    const dowMatch = this.f.dow.has(weekday);
    return this.f.domStar || this.f.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
  }

  /** robfig `SpecSchedule.Next`, field by field on the zone's wall clock (seconds field is 0). */
  next(after: Date): Date | null {
    const tz = this.timeZone;
    const H = 3_600_000;
    const M = 60_000;
    let t = Math.floor(after.getTime() / 1000) * 1000 + 1000; // the upcoming whole second
    let added = false;
    let w = wallClock(t, tz);
    const yearLimit = w.year + 5;
    wrap: for (;;) {
      w = wallClock(t, tz);
      if (w.year > yearLimit) return null;
      while (!this.f.month.has(w.month)) {
        if (!added) {
          added = true;
          t = zonedDate(tz, w.year, w.month, 1, 0, 0, 0);
          w = wallClock(t, tz);
        }
        t = zonedDate(tz, w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = wallClock(t, tz);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w.day, w.weekday)) {
        if (!added) {
          added = true;
          t = zonedDate(tz, w.year, w.month, w.day, 0, 0, 0);
          w = wallClock(t, tz);
        }
        t = zonedDate(tz, w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = wallClock(t, tz);
        // Midnight may not exist on a DST day: snap back to the start of the day.
        if (w.hour !== 0) {
          t += w.hour > 12 ? (24 - w.hour) * H : -w.hour * H;
          w = wallClock(t, tz);
        }
        if (w.day === 1) continue wrap;
      }
      while (!this.f.hour.has(w.hour)) {
        if (!added) {
          added = true;
          t = zonedDate(tz, w.year, w.month, w.day, w.hour, 0, 0);
        }
        t += H;
        w = wallClock(t, tz);
        if (w.hour === 0) continue wrap;
      }
      while (!this.f.minute.has(w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / M) * M;
        }
        t += M;
        w = wallClock(t, tz);
        if (w.minute === 0) continue wrap;
      }
      while (w.second !== 0) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = wallClock(t, tz);
        if (w.second === 0) continue wrap;
      }
      return new Date(t);
    }
  }
}

class EverySchedule implements CronSchedule {
  constructor(
    readonly timeZone: string,
    readonly everyMs: number,
  ) {}

  /** robfig ConstantDelaySchedule: `after` rounded down to the second, plus the delay. */
  next(after: Date): Date | null {
    return new Date(Math.floor(after.getTime() / 1000) * 1000 + this.everyMs);
  }
}

/**
 * Parse a schedule (robfig `ParseStandard`) in `timeZone` (default `defaultZone`, the controller's
 * local zone, UTC here). A `TZ=`/`CRON_TZ=` prefix in the schedule overrides the zone, as robfig
 * does (the API forbids it on create). Throws {@link ScheduleError}.
 */
export function parseSchedule(schedule: string, timeZone?: string, defaultZone = 'UTC'): CronSchedule {
  const spec = parseCronSpec(schedule.trim());
  const tz = spec.zone ?? timeZone ?? defaultZone;
  const tzErr = timeZoneError(tz);
  if (tzErr) throw new ScheduleError(tzErr);
  return spec.fields ? new SpecSchedule(tz, spec.fields) : new EverySchedule(tz, spec.everyMs);
}
