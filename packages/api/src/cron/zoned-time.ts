/**
 * Wall-clock arithmetic in an IANA time zone with Go's `time` semantics, which the cron library
 * Kubernetes uses (robfig/cron) relies on: `time.Date` normalisation (including the choice it makes
 * for times in a DST gap or overlap) and `t.In(loc)` field extraction. Built on Intl; UTC and
 * fixed-offset zones take a fast path.
 */

/** The fields of an instant as seen on a wall clock in some zone. */
export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();
const BUCKET_MS = 15 * 60_000; // zone transitions fall on quarter hours (modern tzdata)

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

/**
 * Check that `tz` names a loadable IANA zone (Go `time.LoadLocation`); returns the error text Go
 * would give, or null. `Local` and the empty string are rejected: a CronJob must name its zone.
 */
export function timeZoneError(tz: string): string | null {
  if (tz === '' || tz === 'Local') return `unknown time zone ${tz}`;
  try {
    formatter(tz);
    return null;
  } catch {
    return `unknown time zone ${tz}`;
  }
}

/** Offset of the zone from UTC at the instant, in ms (east positive). */
export function zoneOffsetMs(tz: string, instantMs: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const bucket = Math.floor(instantMs / BUCKET_MS);
  const key = `${tz}\u0000${bucket}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const probe = bucket * BUCKET_MS;
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(probe))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const asUtc = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = asUtc - probe;
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** The wall clock of the instant in the zone (Go `t.In(loc)` then Year(), Month(), …). */
export function wallClock(instantMs: number, tz: string): WallClock {
  const d = new Date(instantMs + zoneOffsetMs(tz, instantMs));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/**
 * Go `time.Date(year, month, day, hour, min, sec, 0, loc)`: out-of-range fields carry over
 * (month 13 = January next year), and a wall time that does not exist or exists twice resolves as
 * Go resolves it: take the offset in force at the wall time read as UTC; if the resulting instant
 * falls outside that offset's period, use the offset in force at that instant instead.
 */
export function zonedDate(tz: string, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = zoneOffsetMs(tz, local);
  if (first === 0 && (tz === 'UTC' || tz === 'Etc/UTC')) return local;
  const utc = local - first;
  const second_ = zoneOffsetMs(tz, utc);
  return local - (second_ === first ? first : second_);
}

/** Format an instant as RFC 3339 in the zone, whole seconds (`2024-03-10T03:30:00-04:00`). */
export function formatRfc3339InZone(instantMs: number, tz: string): string {
  const w = wallClock(instantMs, tz);
  const off = Math.round(zoneOffsetMs(tz, instantMs) / 60_000);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  const base = `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
  if (off === 0) return `${base}Z`;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${base}${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}
