/**
 * Time formatting as kubectl does it: `duration.HumanDuration` for ages and durations, and Go's
 * `time.RFC1123Z` layout ("Mon, 02 Jan 2006 15:04:05 -0700") for describe's timestamps, in this
 * machine's zone. The formats themselves live once in @kjobs/api.
 */
import { formatRfc1123Z, goDurationMs, translateTimestampSince } from '@kjobs/api';

export { humanDuration } from '@kjobs/api';

/** kubectl's `translateTimestampSince`: "<unknown>" for a missing time, else the age. */
export function ageSince(timestamp: string | null | undefined, now: Date): string {
  return translateTimestampSince(timestamp, now);
}

/**
 * Go's `time.RFC1123Z` in a fixed UTC offset (minutes east of UTC; default: this machine's local
 * offset at that instant): "Wed, 02 Jun 2021 21:23:23 -0700".
 */
export function formatRFC1123Z(timestamp: string | Date, offsetMinutes?: number): string {
  const d = typeof timestamp === 'string' ? new Date(timestamp) : timestamp;
  return formatRfc1123Z(d, offsetMinutes ?? -d.getTimezoneOffset());
}

/**
 * Parse a kubectl duration flag (a Go duration: "30s", "1m30s", "2h", "500ms", "0"; a bare
 * number is seconds): milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^-?\d+$/.test(s)) return Number(s) * 1000;
  return goDurationMs(s);
}
