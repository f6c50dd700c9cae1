import { performance } from 'node:perf_hooks';

/** The broker's source of time, injected so lease tests can drive it. */
export interface Clock {
  /** Epoch milliseconds, fractional (sub-millisecond digits go into message timestamps). */
  now(): number;
}

/**
 * Wall-clock time with microsecond digits: the monotonic high-resolution clock anchored to
 * Date.now(), re-anchored whenever the two drift more than a millisecond apart (NTP steps).
 */
export function createSystemClock(): Clock {
  let offset = Date.now() - performance.now();
  return {
    now(): number {
      const p = performance.now();
      const t = offset + p;
      const wall = Date.now();
      if (t < wall - 1 || t > wall + 1) {
        offset = wall - p;
        return wall;
      }
      return t;
    },
  };
}

/** The shared system clock. */
export const systemClock: Clock = createSystemClock();

let cachedSecond = NaN;
let cachedBase = '';

/**
 * Go's `time.Time` JSON form in UTC: RFC 3339 with up to nine fractional digits, trailing zeros
 * trimmed, no fraction at all on an exact second (`2026-11-27T18:49:14.262174Z`).
 */
export function formatGoTime(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const subMsNanos = Math.round((epochMs - whole) * 1e6 / 1000) * 1000; // µs precision is what a double holds
  let ms = whole;
  let nanos = (ms % 1000) * 1e6 + subMsNanos;
  if (nanos >= 1e9) {
    ms += 1000 - (ms % 1000);
    nanos = 0;
  }
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedBase = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const base = cachedBase;
  if (nanos === 0) return base + 'Z';
  return base + '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') + 'Z';
}
