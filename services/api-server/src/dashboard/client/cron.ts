/**
 * When a CronJob runs next, for display: the five-field grammar Kubernetes accepts (robfig/cron
 * `ParseStandard`: lists, ranges, steps, `*` and `?`, month and weekday names, the @macros and
 * `@every <duration>`, the day-of-month/day-of-week OR rule) read on the wall clock of
 * `spec.timeZone` (or the browser's zone). A wall time that a DST change skips does not fire,
 * as in robfig. Small and dependency-free so the browser bundle stays small; the controller's own
 * schedule code remains the authority on when a Job is created.
 */

interface Field {
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** A parsed schedule: allowed values per field, and whether day-of-month/week were `*` (AND rule). */
interface Spec {
  sets: Set<number>[];
  domStar: boolean;
  dowStar: boolean;
}

function value(s: string, f: Field): number {
  const i = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (i >= 0) return i + f.min;
  if (!/^\d+$/.test(s)) throw new Error(`bad value ${s}`);
  return Number(s);
}

/** One comma-separated field; `star` is robfig's starBit (a `*`/`?` range without a step > 1). */
function parseField(text: string, f: Field): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined) throw new Error(`bad field ${text}`);
    const step = stepText === undefined ? 1 : value(stepText, { min: 0, max: 0 });
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [f.min, f.max];
      if (step <= 1) star = true;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined || a === undefined) throw new Error(`bad range ${range}`);
      lo = value(a, f);
      hi = b !== undefined ? value(b, f) : stepText !== undefined ? f.max : lo;
    }
    if (step < 1 || lo < f.min || hi > f.max || lo > hi) throw new Error(`out of range: ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

function parseSpec(schedule: string): Spec {
  const fields = (MACROS[schedule.trim()] ?? schedule).trim().split(/\s+/);
  if (fields.length !== 5) throw new Error('expected 5 fields');
  const parsed = fields.map((t, i) => parseField(t, FIELDS[i]!));
  return { sets: parsed.map((p) => p.set), domStar: parsed[2]!.star, dowStar: parsed[4]!.star };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall clock of an instant in a zone, as milliseconds of the same wall time read as UTC (seconds dropped). */
function wallOf(instant: number, timeZone: string | undefined): number {
  const key = timeZone ?? '';
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formats.set(key, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
}

/**
 * The instants whose wall clock is `wall`, earliest first: none when a DST change skips that wall
 * time, two when a change repeats it. Zone offsets are taken from around the wall time (no zone
 * changes its offset twice within six hours).
 */
function instantsOf(wall: number, timeZone: string | undefined): number[] {
  const out = new Set<number>();
  for (const probe of [wall - 3 * 3600_000, wall, wall + 3 * 3600_000]) {
    const candidate = wall - (wallOf(probe, timeZone) - Math.floor(probe / 60_000) * 60_000);
    if (wallOf(candidate, timeZone) === wall) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function dayMatches(spec: Spec, d: Date): boolean {
  const dom = spec.sets[2]!.has(d.getUTCDate());
  const dow = spec.sets[4]!.has(d.getUTCDay());
  return spec.domStar || spec.dowStar ? dom && dow : dom || dow;
}

/** Go duration text ("1h30m", "90s") in milliseconds; NaN when malformed. */
function goDuration(s: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR };
  let total = 0;
  const rest = s.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_m, n: string, u: string) => {
    total += Number(n) * units[u]!;
    return '';
  });
  return rest === '' && s !== '' ? total : NaN;
}

/**
 * The first run strictly after `after` (ms), or null when the schedule does not parse or has no
 * run within five years. `@every d` counts from `since` (the last schedule time or creation).
 */
export function nextRun(schedule: string, timeZone: string | undefined, after: number, since?: number): number | null {
  const every = /^@every\s+(\S+)$/.exec(schedule.trim());
  if (every) {
    const d = goDuration(every[1]!);
    if (!(d >= 1000)) return null;
    const from = since ?? after;
    return from > after ? from + d : from + (Math.floor((after - from) / d) + 1) * d;
  }
  let spec: Spec;
  try {
    spec = parseSpec(schedule);
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return null;
  }
  const [minutes, hours, , months] = spec.sets as [Set<number>, Set<number>, Set<number>, Set<number>];
  let t = Math.floor(wallOf(after, timeZone) / MINUTE) * MINUTE + MINUTE;
  const limit = t + 5 * 366 * DAY;
  while (t < limit) {
    const d = new Date(t);
    if (!months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    } else if (!dayMatches(spec, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    } else if (!hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
    } else if (!minutes.has(d.getUTCMinutes())) {
      t += MINUTE;
    } else {
      const instant = instantsOf(t, timeZone).find((i) => i > after);
      if (instant !== undefined) return instant;
      t += MINUTE;
    }
  }
  return null;
}
