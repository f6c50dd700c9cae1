import { describe, expect, it } from 'vitest';
import { isKnownTimeZone } from './time-zone.js';

describe('isKnownTimeZone (Go time.LoadLocation names)', () => {
  it.each([
    ['UTC', true],
    ['Etc/UTC', true],
    ['America/New_York', true],
    ['Europe/Berlin', true],
    ['Asia/Kolkata', true],
    ['US/Eastern', true],
    ['Etc/GMT+5', true],
    ['Foo/Bar', false],
    ['Local', false],
    ['', false],
    ['america/new_york', false],
    ['utc', false],
  ])('%j → %s', (zone, want) => {
    expect(isKnownTimeZone(zone)).toBe(want);
  });
});
