import { describe, expect, it } from 'vitest';
import { parseSchedule } from './cron-spec.js';

const next = (spec: string, from: string, tz?: string) => parseSchedule(spec, tz).next(new Date(from))?.toISOString() ?? null;

describe('parseSchedule accepts robfig ParseStandard syntax', () => {
  it.each([
    ['*/15 * * * *', '2024-01-01T00:07:00Z', '2024-01-01T00:15:00.000Z'],
    ['5/20 * * * *', '2024-01-01T00:26:00Z', '2024-01-01T00:45:00.000Z'],
    ['0 9-17/4 * * *', '2024-01-01T10:00:00Z', '2024-01-01T13:00:00.000Z'],
    ['0 0 ? * MON-fri', '2024-01-06T00:00:00Z', '2024-01-08T00:00:00.000Z'],
    ['0 0 1 jan,JUL *', '2024-02-01T00:00:00Z', '2024-07-01T00:00:00.000Z'],
    ['0 12 * * sun', '2024-01-01T00:00:00Z', '2024-01-07T12:00:00.000Z'],
    ['@yearly', '2024-05-01T00:00:00Z', '2025-01-01T00:00:00.000Z'],
    ['@annually', '2024-05-01T00:00:00Z', '2025-01-01T00:00:00.000Z'],
    ['@monthly', '2024-05-10T00:00:00Z', '2024-06-01T00:00:00.000Z'],
    ['@weekly', '2024-05-01T00:00:00Z', '2024-05-05T00:00:00.000Z'],
    ['@daily', '2024-05-01T10:00:00Z', '2024-05-02T00:00:00.000Z'],
    ['@midnight', '2024-05-01T10:00:00Z', '2024-05-02T00:00:00.000Z'],
    ['@hourly', '2024-05-01T10:00:00Z', '2024-05-01T11:00:00.000Z'],
    ['@every 1h30m', '2024-05-01T10:00:00.700Z', '2024-05-01T11:30:00.000Z'],
    ['@every 500ms', '2024-05-01T10:00:00Z', '2024-05-01T10:00:01.000Z'],
    ['  0   0  *  *  *  ', '2024-05-01T10:00:00Z', '2024-05-02T00:00:00.000Z'],
  ])('%s after %s → %s', (spec, from, want) => {
    expect(next(spec, from)).toBe(want);
  });

  it.each([
    ['both restricted: 13th OR Friday', '0 0 13 * 5', ['2024-09-06', '2024-09-13', '2024-09-20']],
    ['dom star: Fridays only', '0 0 * * 5', ['2024-09-06', '2024-09-13', '2024-09-20']],
    ['dow star: 13th only', '0 0 13 * *', ['2024-09-13', '2024-10-13', '2024-11-13']],
    ['dow "?" is a star', '0 0 13 * ?', ['2024-09-13', '2024-10-13', '2024-11-13']],
    ['*/2 clears the star bit: odd days OR Mondays', '0 0 */2 * 1', ['2024-09-01', '2024-09-02', '2024-09-03']],
    ['*/1 keeps the star bit: Mondays only', '0 0 */1 * 1', ['2024-09-02', '2024-09-09', '2024-09-16']],
  ])('day-of-month/day-of-week rule: %s', (_n, spec, days) => {
    const s = parseSchedule(spec);
    const out: string[] = [];
    let t: Date | null = new Date('2024-08-31T12:00:00Z');
    for (let i = 0; i < 3 && t; i++) {
      t = s.next(t);
      out.push(t!.toISOString().slice(0, 10));
    }
    expect(out).toEqual(days);
  });

  it('returns null when nothing matches within five years (Feb 31)', () => {
    expect(next('0 0 31 2 *', '2024-01-01T00:00:00Z')).toBeNull();
  });
});

describe('parseSchedule rejects what robfig rejects', () => {
  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 0 0 * * *', 'expected exactly 5 fields, found 6: [0 0 0 * * *]'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-3 * * * *', 'beginning of range (5) beyond end of range (3): 5-3'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['0 0 L * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['0 0 * * 1#2', 'failed to parse int from 1#2: strconv.Atoi: parsing "1#2": invalid syntax'],
    ['H * * * *', 'failed to parse int from H: strconv.Atoi: parsing "H": invalid syntax'],
    ['0 0 * mon *', 'failed to parse int from mon: strconv.Atoi: parsing "mon": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every soon', 'time: invalid duration "soon"'],
  ])('%j → %s', (spec, message) => {
    expect(() => parseSchedule(spec)).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => parseSchedule('* * * * *', 'Mars/Olympus')).toThrow('unknown time zone Mars/Olympus');
  });

  it('honours a TZ= prefix as robfig does', () => {
    expect(parseSchedule('TZ=Asia/Tokyo 0 9 * * *').next(new Date('2024-01-01T00:30:00Z'))?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });
});
