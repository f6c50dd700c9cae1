/**
 * Go's `time.ParseDuration`, the one parser of duration text in kjobs (CronJob `@every`, kubectl
 * duration flags, memq lease lengths, the dashboard): `1h30m`, `90s`, `1.5h`, `500ms`, `2us`,
 * `-1s`, bare `0`. Pure; runs in Node and in the browser.
 */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's longest `time.Duration` (2^63-1 ns, about 292 years) in milliseconds. */
export const MAX_GO_DURATION_MS = 9_223_372_036_854.775;

/** Go's `time.ParseDuration`: nanoseconds, or throws an Error with Go's text (`time: invalid duration "x"`). */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest) {
    const num = /^(\d*)(\.(\d*))?/.exec(rest)!;
    if (!num[1] && !num[3]) throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (!unit) throw new Error(`time: missing unit in duration ${quoted}`);
    const mult = UNIT_NS[unit];
    if (mult === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    total += Number(`${num[1] || '0'}.${num[3] || '0'}`) * mult;
  }
  if (total > 2 ** 63 - 1) throw new Error(`time: invalid duration ${quoted}`);
  return sign * total;
}

/** {@link parseGoDuration} in milliseconds, or undefined when `s` is not a Go duration. */
export function goDurationMs(s: string): number | undefined {
  try {
    return parseGoDuration(s) / 1e6;
  } catch {
    return undefined;
  }
}
