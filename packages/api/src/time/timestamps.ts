/**
 * The two timestamp forms of the Kubernetes API: `metav1.Time` (RFC 3339 in UTC, whole seconds:
 * `2024-05-01T10:00:00Z`) and `metav1.MicroTime` (six fractional digits: `2024-05-01T10:00:00.123000Z`,
 * used by Leases and events.k8s.io). Pure; every writer of a timestamp uses these.
 */

/** `metav1.Time` text of an instant (a Date or epoch milliseconds): fractions of a second are dropped. */
export function rfc3339(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `metav1.MicroTime` text of an instant (millisecond precision, padded to microseconds). */
export function rfc3339Micro(at: Date | number): string {
  return (typeof at === 'number' ? new Date(at) : at).toISOString().replace('Z', '000Z');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Go's `time.RFC1123Z` layout (`Mon, 02 Jan 2006 15:04:05 -0700`) at a fixed offset in minutes
 * east of UTC (default 0: `+0000`, as in the CronJob controller's MissSchedule events; kubectl
 * describe passes the local offset).
 */
export function formatRfc1123Z(at: Date | number | string, offsetMinutes = 0): string {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  const local = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${DAYS[local.getUTCDay()]}, ${pad2(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} `
    + `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())} ${sign}${pad2(Math.trunc(abs / 60))}${pad2(abs % 60)}`;
}
