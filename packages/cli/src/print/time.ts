/**
 * Time formatting as kubectl does it: `duration.HumanDuration` for ages and durations, and Go's
 * `time.RFC1123Z` layout ("Mon, 02 Jan 2006 15:04:05 -0700") for describe's timestamps.
 */

/** k8s.io/apimachinery `duration.HumanDuration`: the one implementation lives in @kjobs/api. */
export { humanDuration } from '@kjobs/api';
import { humanDuration } from '@kjobs/api';

/** kubectl's `translateTimestampSince`: "<unknown>" for a missing time, else the age. */
export function ageSince(timestamp: string | null | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Go's `time.RFC1123Z` in a fixed UTC offset (minutes east of UTC; default: this machine's local
 * offset at that instant): "Wed, 02 Jun 2021 21:23:23 -0700".
 */
export function formatRFC1123Z(timestamp: string | Date, offsetMinutes?: number): string {
  const d = typeof timestamp === 'string' ? new Date(timestamp) : timestamp;
  const off = offsetMinutes ?? -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${DAYS[local.getUTCDay()]}, ${pad2(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} `
    + `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())} ${sign}${pad2(Math.trunc(abs / 60))}${pad2(abs % 60)}`;
}

/**
 * Parse a kubectl duration flag ("30s", "1m30s", "2h", "500ms", bare "0"): milliseconds, or
 * undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^-?\d+$/.test(s)) return Number(s) * 1000;
  const re = /(-?\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? total : undefined;
}
