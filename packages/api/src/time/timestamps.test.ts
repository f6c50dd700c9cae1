import { describe, expect, it } from 'vitest';
import { formatRfc1123Z, rfc3339, rfc3339Micro } from './timestamps.js';

describe('rfc3339 (metav1.Time)', () => {
  it('drops fractions of a second', () => {
    expect(rfc3339(new Date('2024-05-01T10:00:00.987Z'))).toBe('2024-05-01T10:00:00Z');
    expect(rfc3339(Date.parse('2024-05-01T10:00:01Z'))).toBe('2024-05-01T10:00:01Z');
  });
});

describe('rfc3339Micro (metav1.MicroTime)', () => {
  it('prints six fractional digits', () => {
    expect(rfc3339Micro(new Date('2024-05-01T10:00:00.123Z'))).toBe('2024-05-01T10:00:00.123000Z');
  });
});

describe('formatRfc1123Z (Go time.RFC1123Z)', () => {
  it('formats RFC1123Z in UTC', () => {
    expect(formatRfc1123Z(Date.parse('2024-03-01T09:05:07Z'))).toBe('Fri, 01 Mar 2024 09:05:07 +0000');
  });

  it.each([
    ['2021-06-03T04:23:23Z', -420, 'Wed, 02 Jun 2021 21:23:23 -0700'],
    ['2021-06-03T04:23:23Z', 0, 'Thu, 03 Jun 2021 04:23:23 +0000'],
    ['2026-01-01T00:00:05Z', 330, 'Thu, 01 Jan 2026 05:30:05 +0530'],
  ])('%s at %d → %s', (t, off, want) => {
    expect(formatRfc1123Z(t, off)).toBe(want);
  });
});
