import { MAX_GO_DURATION_MS, goDurationMs } from '@kjobs/api';

/**
 * Go's longest `time.Duration` (2^63-1 ns, about 292 years) in ms: `time.ParseDuration` refuses
 * more, and a longer lease would put its expiry past the last valid Date (a 500, item lost).
 */
export const MAX_LEASE_MS = MAX_GO_DURATION_MS;

/**
 * Parse a lease length: a Go duration (`30s`, `1m30s`, `500ms`, `1.5h`) or a bare number of
 * seconds (`30`), unsigned (memq has always refused `+1s` and `-1s`). Returns milliseconds, or
 * undefined when malformed, not positive, or longer than Go's longest duration.
 */
export function parseLeaseDuration(text: string): number | undefined {
  if (text.startsWith('+') || text.startsWith('-')) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : goDurationMs(text);
  return ms !== undefined && ms > 0 && ms <= MAX_LEASE_MS ? ms : undefined;
}
