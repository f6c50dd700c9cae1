/**
 * Cron specs with the semantics Kubernetes gets from robfig/cron v3 `ParseStandard`: five
 * fields (`minute hour day-of-month month day-of-week`), `?`, month and weekday names, the @macros
 * and `@every <duration>`, the day-of-month/day-of-week OR rule, and `Next()` walked on the wall
 * clock of `spec.timeZone` exactly as robfig walks it (so DST changes behave as in Kubernetes:
 * a time skipped by spring-forward does not fire that day; a time repeated by fall-back fires twice).
 * Field values are expanded by cron-parser; robfig's stricter grammar is checked here first.
 */
import { CronExpressionParser } from 'cron-parser';
import { timeZoneError, wallClock, zonedDate } from './zoned-time.js';

/** The schedule could not be parsed (robfig's wording where it matters). */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** A parsed schedule bound to a time zone. */
export interface CronSchedule {
  /** The IANA zone the fields are read in. */
  readonly timeZone: string;
  /** The first activation strictly after `after` (whole seconds), or null if none within five years. */
  next(after: Date): Date | null;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** A cron-parser expression with this field and the others neutral (so no cross-field check applies). */
  wrap: (f: string) => string;
  pick: (e: ReturnType<typeof CronExpressionParser.parse>) => readonly number[];
}

function numbers(values: readonly unknown[]): number[] {
  return values.filter((v): v is number => typeof v === 'number');
}

const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59, wrap: (f) => `${f} 0 * * *`, pick: (e) => e.fields.minute.values },
  { name: 'hour', min: 0, max: 23, wrap: (f) => `0 ${f} * * *`, pick: (e) => e.fields.hour.values },
  { name: 'dom', min: 1, max: 31, wrap: (f) => `0 0 ${f} * *`, pick: (e) => numbers(e.fields.dayOfMonth.values) },
  { name: 'month', min: 1, max: 12, names: MONTHS, wrap: (f) => `0 0 * ${f} *`, pick: (e) => e.fields.month.values },
  { name: 'dow', min: 0, max: 6, names: DAYS, wrap: (f) => `0 0 * * ${f}`, pick: (e) => numbers(e.fields.dayOfWeek.values) },
];

function toNumber(tok: string, def: FieldDef): number {
  const lower = tok.toLowerCase();
  const named = def.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (def.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(tok)) throw new ScheduleError(`failed to parse int from ${tok}: strconv.Atoi: parsing "${tok}": invalid syntax`);
  return Number(tok);
}

/**
 * Check one field against robfig's grammar (`*`/`?`, numbers, names of this field, `a-b`, `/step`,
 * commas; bounds; a range that runs backwards; a zero step). Returns the text to hand cron-parser
 * (day-of-week stars and `n/step` bounded to 6, since cron-parser also accepts 7 as Sunday) and
 * whether robfig would set the star bit (`*` or `?` with no step above 1).
 */
function checkField(text: string, def: FieldDef): { text: string; star: boolean } {
  let star = false;
  const parts: string[] = [];
  for (const expr of text.split(',')) {
    const [range = '', step, extra] = expr.split('/');
    if (extra !== undefined) throw new ScheduleError(`too many slashes: ${expr}`);
    const [lowTok = '', highTok, extraDash] = range.split('-');
    if (extraDash !== undefined) throw new ScheduleError(`too many hyphens: ${expr}`);
    let stepN = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step)) throw new ScheduleError(`failed to parse int from ${step}: strconv.Atoi: parsing "${step}": invalid syntax`);
      stepN = Number(step);
      if (stepN <= 0) throw new ScheduleError(`step of range should be a positive number: ${expr}`);
    }
    let start: number;
    let end: number;
    let anyStar = false;
    if (lowTok === '*' || lowTok === '?') {
      if (highTok !== undefined) throw new ScheduleError(`failed to parse int from ${range}`);
      start = def.min;
      end = def.max;
      anyStar = true;
    } else {
      start = toNumber(lowTok, def);
      end = highTok !== undefined ? toNumber(highTok, def) : step !== undefined ? def.max : start;
    }
    if (start < def.min) throw new ScheduleError(`beginning of range (${start}) below minimum (${def.min}): ${expr}`);
    if (end > def.max) throw new ScheduleError(`end of range (${end}) above maximum (${def.max}): ${expr}`);
    if (start > end) throw new ScheduleError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
    if (anyStar && stepN <= 1) star = true;
    parts.push(`${start}-${end}${step !== undefined ? `/${stepN}` : ''}`);
  }
  return { text: parts.join(','), star };
}

/** Expand a checked field to its values through cron-parser. */
function expandField(text: string, def: FieldDef): Set<number> {
  try {
    return new Set(def.pick(CronExpressionParser.parse(def.wrap(text))).filter((v) => v >= def.min && v <= def.max));
  } catch (e) {
    throw new ScheduleError(e instanceof Error ? e.message : String(e));
  }
}

/** Parse a Go duration (`1h30m`, `90s`, `1.5h`, `500ms`) into milliseconds. */
export function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new ScheduleError(`time: invalid duration "${s}"`);
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) throw new ScheduleError(`time: invalid duration "${s}"`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

class SpecSchedule implements CronSchedule {
  constructor(
    readonly timeZone: string,
    private readonly minute: Set<number>,
    private readonly hour: Set<number>,
    private readonly dom: Set<number>,
    private readonly month: Set<number>,
    private readonly dow: Set<number>,
    private readonly domStar: boolean,
    private readonly dowStar: boolean,
  ) {}

  /** robfig dayMatches: both restricted → either may match; otherwise both must. */
  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = this.dom.has(day);
    const dowMatch = this.dow.has(weekday);
    return this.domStar || this.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
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
      while (!this.month.has(w.month)) {
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
      while (!this.hour.has(w.hour)) {
        if (!added) {
          added = true;
          t = zonedDate(tz, w.year, w.month, w.day, w.hour, 0, 0);
        }
        t += H;
        w = wallClock(t, tz);
        if (w.hour === 0) continue wrap;
      }
      while (!this.minute.has(w.minute)) {
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
    private readonly delayMs: number,
  ) {}

  /** robfig ConstantDelaySchedule: `after` rounded down to the second, plus the delay. */
  next(after: Date): Date | null {
    return new Date(Math.floor(after.getTime() / 1000) * 1000 + this.delayMs);
  }
}

/**
 * Parse a schedule (robfig `ParseStandard`) in `timeZone` (default `defaultZone`, the controller's
 * local zone, UTC here). A `TZ=`/`CRON_TZ=` prefix in the schedule overrides the zone, as robfig
 * does (the API forbids it on create). Throws {@link ScheduleError}.
 */
export function parseSchedule(schedule: string, timeZone?: string, defaultZone = 'UTC'): CronSchedule {
  let spec = schedule.trim();
  if (spec === '') throw new ScheduleError('empty spec string');
  let tz = timeZone ?? defaultZone;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const sp = spec.search(/\s/);
    const eq = spec.indexOf('=');
    const name = sp < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, sp);
    const err = timeZoneError(name);
    if (err) throw new ScheduleError(`provided bad location ${name}: ${err}`);
    tz = name;
    spec = sp < 0 ? '' : spec.slice(sp).trim();
  }
  const tzErr = timeZoneError(tz);
  if (tzErr) throw new ScheduleError(tzErr);
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const ms = parseGoDuration(spec.slice('@every '.length).trim());
      const whole = Math.max(1000, ms - (ms % 1000));
      return new EverySchedule(tz, whole);
    }
    const expanded = DESCRIPTORS[spec.toLowerCase()];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const checked = fields.map((f, i) => checkField(f, FIELDS[i]!));
  const [min, hour, dom, month, dow] = checked.map((c, i) => expandField(c.text, FIELDS[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return new SpecSchedule(tz, min, hour, dom, month, dow, checked[2]!.star, checked[4]!.star);
}
