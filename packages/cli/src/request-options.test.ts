import { describe, expect, it } from 'vitest';
import { klogLine, parseRequestTimeout, parseVerbosity } from './request-options.js';

describe('kubectl request flags', () => {
  it.each([[undefined, 0], ['0', 0], ['5', 5000], ['1s', 1000], ['500ms', 500], ['1m30s', 90_000], ['1.5h', 5_400_000], ['=2s', 2000]])('--request-timeout %s', (v, ms) => {
    expect(parseRequestTimeout(v)).toBe(ms);
  });
  it.each(['abc', '1x', '-1s', '5 s'])('rejects --request-timeout %s as kubectl does', (v) => {
    expect(() => parseRequestTimeout(v)).toThrow('Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)');
  });
  it('reads -v', () => {
    expect(parseVerbosity('=6')).toBe(6);
    expect(parseVerbosity(undefined)).toBe(0);
    expect(() => parseVerbosity('x')).toThrow('invalid argument "x" for "-v, --v" flag');
  });
  it('writes klog lines', () => {
    expect(klogLine(new Date(2026, 11, 7, 13, 5, 9, 607), 17975, 'round_trippers.go:560', 'GET https://h/api 200 OK in 3 milliseconds'))
      .toBe('I1207 13:05:09.607000   17975 round_trippers.go:560] GET https://h/api 200 OK in 3 milliseconds\n');
  });
});
