import { describe, expect, it } from 'vitest';
import { parseLeaseDuration } from './duration.js';

describe('parseLeaseDuration', () => {
  it.each([
    ['30s', 30_000], ['30', 30_000], ['1.5', 1500], ['500ms', 500], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5h', 5_400_000],
    ['2m0.5s', 120_500], ['250us', 0.25], ['2562047h', 2_562_047 * 3_600_000],
  ])('%s → %d ms', (input, want) => {
    expect(parseLeaseDuration(input)).toBe(want);
  });
  it.each(['', '0', '0s', '-1s', '+1s', 's', '10x', '1m junk', 'abc', ' 1s', '2562048h', '9999999999999999h', '99999999999999999999'])('rejects %j', (input) => {
    expect(parseLeaseDuration(input)).toBeUndefined();
  });
});
