import { describe, expect, it } from 'vitest';
import { createSystemClock, formatGoTime } from './clock.js';

describe('formatGoTime: Go time.Time JSON (RFC 3339, nanos, trailing zeros trimmed)', () => {
  const base = Date.UTC(2026, 10, 27, 18, 49, 14);
  it.each([
    [base, '2026-11-27T18:49:14Z'],
    [base + 262, '2026-11-27T18:49:14.262Z'],
    [base + 262.174, '2026-11-27T18:49:14.262174Z'],
    [base + 339.5599, '2026-11-27T18:49:14.33956Z'],
    [base + 100, '2026-11-27T18:49:14.1Z'],
    [base + 0.001, '2026-11-27T18:49:14.000001Z'],
    [base + 999.9999, '2026-11-27T18:49:15Z'],
  ])('%d → %s', (ms, want) => {
    expect(formatGoTime(ms)).toBe(want);
  });
});

describe('system clock', () => {
  it('stays within a millisecond of Date.now() and has sub-millisecond digits', () => {
    const c = createSystemClock();
    const before = Date.now();
    const t = c.now();
    const after = Date.now();
    expect(t).toBeGreaterThanOrEqual(before - 1);
    expect(t).toBeLessThanOrEqual(after + 1);
  });
});
