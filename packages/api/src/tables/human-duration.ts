/**
 * A duration the way Kubernetes prints ages and durations (apimachinery `duration.HumanDuration`):
 * exact seconds below 2 minutes, then coarser units with at most two parts: `0s`, `45s`, `119s`,
 * `2m5s`, `10m`, `3h5m`, `10h`, `2d3h`, `9d`, `2y30d`, `9y`. Up to one second in the future
 * reads `0s` (clock skew); further in the future is `<invalid>`.
 *
 * @param ms the duration in milliseconds
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when it is missing or unreadable. */
export function parseTimestamp(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The age of a timestamp as kubectl columns print it (printers.go `translateTimestampSince`):
 * `humanDuration(now - ts)`, or `<unknown>` when the timestamp is missing.
 */
export function translateTimestampSince(ts: string | number | null | undefined, now: Date): string {
  const ms = typeof ts === 'number' ? ts : parseTimestamp(ts);
  return ms === undefined ? '<unknown>' : humanDuration(now.getTime() - ms);
}
