/**
 * The schedule grammar of robfig/cron v3 `ParseStandard`, as Kubernetes vendors it, once for all
 * of kjobs: API validation (which error text Kubernetes gives), the CronJob controller and
 * `kjobs schedule` (when a schedule fires), and the dashboard (the next run, in the browser).
 * Five fields (`minute hour day-of-month month day-of-week`) with `*`, `?`, numbers, month and
 * weekday names, `a-b`, `/step` and lists; the @macros; `@every <Go duration>`; a leading
 * `TZ=`/`CRON_TZ=` zone. Pure and dependency-free.
 */
import { parseGoDuration } from '../time/go-duration.js';
import { isKnownTimeZone } from '../validation/time-zone.js';

/** The schedule could not be parsed; the message is robfig's. */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** The values each field allows, and robfig's star bits of day-of-month and day-of-week. */
export interface CronFields {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dom: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  /** Day-of-month was `*`/`?` without a step above 1 (then both day fields must match). */
  readonly domStar: boolean;
  /** Day-of-week likewise. */
  readonly dowStar: boolean;
}

/** A parsed spec: a constant delay (`@every`, robfig's `ConstantDelaySchedule`) or fields. */
export type CronSpec =
  | { readonly zone?: string; readonly everyMs: number; readonly fields?: undefined }
  | { readonly zone?: string; readonly everyMs?: undefined; readonly fields: CronFields };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Go's `strconv.Atoi` then robfig's non-negative check, with their error texts. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new ScheduleError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (!Number.isSafeInteger(n)) throw new ScheduleError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (n < 0) throw new ScheduleError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  return names?.[expr.toLowerCase()] ?? mustParseInt(expr);
}

/** robfig `getRange`: add one `a-b/step` term's values to `into`; returns its star bit. */
function addRange(expr: string, r: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, r.names);
    else throw new ScheduleError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (lowAndHigh.length === 1) end = r.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new ScheduleError(`too many slashes: ${expr}`);
  }
  if (start < r.min) throw new ScheduleError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new ScheduleError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new ScheduleError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new ScheduleError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

/** robfig `getField`: a comma list of ranges. */
function parseField(field: string, r: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((x) => x.length > 0)) star = addRange(expr, r, values) || star;
  return { values, star };
}

/** robfig `Every`: at least one second, rounded down to whole seconds. */
function everyMs(spec: string): number {
  let ns: number;
  try {
    ns = parseGoDuration(spec.slice('@every '.length));
  } catch (e) {
    throw new ScheduleError(`failed to parse duration ${spec}: ${(e as Error).message}`);
  }
  const ms = Math.max(1000, ns / 1e6);
  return ms - (ms % 1000);
}

/**
 * Parse `input` as robfig's `ParseStandard` does; throws {@link ScheduleError} with its text.
 * A `TZ=`/`CRON_TZ=` prefix comes back as `zone` (the CronJob API forbids it separately).
 */
export function parseCronSpec(input: string): CronSpec {
  let spec = input;
  let zone: string | undefined;
  if (spec.length === 0) throw new ScheduleError('empty spec string');
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    zone = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    if (i < 0 || !isKnownTimeZone(zone)) throw new ScheduleError(`provided bad location ${zone}: unknown time zone ${zone}`);
    spec = spec.slice(i).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) return { zone, everyMs: everyMs(spec) };
    const expanded = DESCRIPTORS[spec];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const texts = spec.split(/\s+/).filter((f) => f.length > 0);
  if (texts.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${texts.length}: [${texts.join(' ')}]`);
  const [minute, hour, dom, month, dow] = texts.map((f, i) => parseField(f, FIELDS[i]!)) as [ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>];
  return {
    zone,
    fields: {
      minute: minute.values, hour: hour.values, dom: dom.values, month: month.values, dow: dow.values,
      domStar: dom.star, dowStar: dow.star,
    },
  };
}

/**
 * The error robfig/cron's `ParseStandard` returns for `spec`, or undefined when it parses (what
 * API validation reports for `spec.schedule`).
 */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseCronSpec(spec);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
