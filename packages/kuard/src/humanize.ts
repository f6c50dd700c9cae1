/**
 * go-humanize v1.0.0 `RelTime` (times.go), used by kuard for "3 seconds left" and "2 seconds
 * overdue" and for the probe history's "relWhen".
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;
const LONG_TIME = 37 * YEAR;

interface Magnitude {
  d: number;
  format: string;
  divBy: number;
}

const MAGNITUDES: Magnitude[] = [
  { d: SECOND, format: 'now', divBy: SECOND },
  { d: 2 * SECOND, format: '1 second %s', divBy: 1 },
  { d: MINUTE, format: '%d seconds %s', divBy: SECOND },
  { d: 2 * MINUTE, format: '1 minute %s', divBy: 1 },
  { d: HOUR, format: '%d minutes %s', divBy: MINUTE },
  { d: 2 * HOUR, format: '1 hour %s', divBy: 1 },
  { d: DAY, format: '%d hours %s', divBy: HOUR },
  { d: 2 * DAY, format: '1 day %s', divBy: 1 },
  { d: WEEK, format: '%d days %s', divBy: DAY },
  { d: 2 * WEEK, format: '1 week %s', divBy: 1 },
  { d: MONTH, format: '%d weeks %s', divBy: WEEK },
  { d: 2 * MONTH, format: '1 month %s', divBy: 1 },
  { d: YEAR, format: '%d months %s', divBy: MONTH },
  { d: 18 * MONTH, format: '1 year %s', divBy: 1 },
  { d: 2 * YEAR, format: '2 years %s', divBy: 1 },
  { d: LONG_TIME, format: '%d years %s', divBy: YEAR },
  { d: Number.MAX_SAFE_INTEGER, format: 'a long while %s', divBy: 1 },
];

/**
 * RelTime(a, b, albl, blbl): the distance between two instants (epoch ms) in words, labelled
 * `albl` when a is before b and `blbl` when a is after b. Durations truncate like Go's integer
 * division (1.9 s is "1 second").
 */
export function relTime(aMs: number, bMs: number, albl: string, blbl: string): string {
  let lbl = albl;
  let diff = bMs - aMs;
  if (aMs > bMs) {
    lbl = blbl;
    diff = aMs - bMs;
  }
  let n = MAGNITUDES.findIndex((m) => m.d > diff);
  if (n < 0) n = MAGNITUDES.length - 1;
  const mag = MAGNITUDES[n]!;
  return mag.format.replace('%d', String(Math.trunc(diff / mag.divBy))).replace('%s', lbl);
}
