import { describe, expect, it } from 'vitest';
import { relTime } from './humanize.js';

describe('relTime (go-humanize RelTime)', () => {
  const s = 1000;
  it.each([
    [0, 3 * s + 400, '3 seconds left'],
    [0, 1 * s, '1 second left'],
    [0, 1999, '1 second left'],
    [0, 999, 'now'],
    [500, 0, 'now'],
    [2 * s + 100, 0, '2 seconds overdue'],
    [0, 59 * s, '59 seconds left'],
    [0, 60 * s, '1 minute left'],
    [0, 125 * s, '2 minutes left'],
    [0, 2 * 3600 * s, '2 hours left'],
    [0, 3 * 86400 * s, '3 days left'],
    [0, 8 * 86400 * s, '1 week left'],
    [0, 400 * 86400 * s, '1 year left'],
    [0, 800 * 86400 * s, '2 years left'],
    [0, 20 * 365 * 86400 * s, '20 years left'],
    [0, 50 * 365 * 86400 * s, 'a long while left'],
  ])('a=%d b=%d → %s', (a, b, want) => {
    expect(relTime(a, b, 'left', 'overdue')).toBe(want);
  });
  it('uses the other label when a is after b', () => {
    expect(relTime(10 * s, 0, 'ago', 'from now')).toBe('10 seconds from now');
    expect(relTime(0, 10 * s, 'ago', 'from now')).toBe('10 seconds ago');
  });
});
