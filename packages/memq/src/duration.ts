const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Go's longest `time.Duration` (2^63-1 ns, about 292 years) in ms: `time.ParseDuration` refuses
 * more, and a longer lease would put its expiry past the last valid Date (a 500, item lost).
 */
export const MAX_LEASE_MS = 9_223_372_036_854.775;

/**
 * Parse a lease length: a Go duration (`30s`, `1m30s`, `500ms`, `1.5h`) or a bare number of
 * seconds (`30`). Returns milliseconds, or undefined when malformed, not positive, or longer
 * than Go's longest duration.
 */
export function parseLeaseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Number(text) * 1000;
    return ms > 0 && ms <= MAX_LEASE_MS ? ms : undefined;
  }
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== text.length) return undefined;
  return total > 0 && total <= MAX_LEASE_MS ? total : undefined;
}
