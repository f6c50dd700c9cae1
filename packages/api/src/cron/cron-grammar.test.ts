import { describe, expect, it } from 'vitest';
import { cronScheduleError } from './cron-grammar.js';

describe('cronScheduleError accepts what robfig/cron ParseStandard accepts', () => {
  it.each([
    '0 */5 * * *',
    '*/1 * * * *',
    '0 0 1 1 *',
    '5 4 * * sun',
    '0 0 * JAN-MAR MON-FRI',
    '0,15,30,45 * ? * *',
    '1-59/2 0-23 1-31 1-12 0-6',
    '5/15 * * * *',
    '  0   1 * * *  ',
    '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly',
    '@every 1h30m',
    '@every 5s',
    'TZ=UTC 0 * * * *',
    'CRON_TZ=America/New_York 0 * * * *',
  ])('%s', (spec) => {
    expect(cronScheduleError(spec)).toBeUndefined();
  });
});

describe('cronScheduleError rejects with the library\'s message', () => {
  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 0 * * * *', 'expected exactly 5 fields, found 6: [0 0 * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ['@often', 'unrecognized descriptor: @often'],
    ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
    ['TZ=Foo/Bar 0 * * * *', 'provided bad location Foo/Bar: unknown time zone Foo/Bar'],
  ])('%j', (spec, message) => {
    expect(cronScheduleError(spec)).toBe(message);
  });
});
