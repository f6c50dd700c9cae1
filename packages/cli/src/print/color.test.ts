import { describe, expect, it } from 'vitest';
import { paintStatusCell, shouldColor, statusColor } from './color.js';

describe('colour', () => {
  it.each([
    [true, {}, true], [false, {}, false], [true, { NO_COLOR: '1' }, false], [true, { NO_COLOR: '' }, false], [true, { TERM: 'dumb' }, false],
  ])('tty=%s env=%j → %s', (tty, env, want) => {
    expect(shouldColor(tty, env)).toBe(want);
  });
  it.each([
    ['Complete', 'green'], ['Completed', 'green'], ['Running', 'yellow'], ['Pending', 'yellow'], ['Failed', 'red'], ['Error', 'red'],
    ['CrashLoopBackOff', 'red'], ['Init:Error', 'red'], ['ExitCode:1', 'red'], ['Init:0/1', undefined], ['0/1', undefined], ['', undefined],
  ])('%s → %s', (w, want) => {
    expect(statusColor(w)).toBe(want);
  });
  it('keeps padding outside the escape codes', () => {
    expect(paintStatusCell('Error     ')).toBe('\x1b[31mError\x1b[0m     ');
    expect(paintStatusCell('0/1   ')).toBe('0/1   ');
  });
});
