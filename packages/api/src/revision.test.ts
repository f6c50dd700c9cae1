import { describe, expect, it } from 'vitest';
import { revisionAfter } from './revision.js';

describe('revisionAfter', () => {
  it('orders decimal revisions as numbers, not as text', () => {
    const cases: [string, string, boolean][] = [
      ['10', '9', true], ['9', '10', false], ['10', '10', false], ['0', '0', false], ['1', '0', true],
      ['1000001', '999999', true], ['18446744073709551616', '18446744073709551615', true], ['123', '124', false],
    ];
    for (const [a, b, want] of cases) expect(revisionAfter(a, b), `${a} > ${b}`).toBe(want);
  });

  it('agrees with BigInt on random revisions', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const a = String(next() % 10 ** (1 + (i % 9)));
      const b = String(next() % 10 ** (1 + ((i >> 3) % 9)));
      expect(revisionAfter(a, b), `${a} > ${b}`).toBe(BigInt(a) > BigInt(b));
    }
  });

  it('compares anything else as BigInt, 0 when not a number', () => {
    expect(revisionAfter('007', '6')).toBe(true);
    expect(revisionAfter('abc', '0')).toBe(false);
    expect(revisionAfter('1', 'abc')).toBe(true);
    expect(revisionAfter('', '')).toBe(false);
  });
});
