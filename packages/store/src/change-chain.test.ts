import { describe, expect, it } from 'vitest';
import { checkChain, parseRevision, type ChainLink } from './change-chain.js';

const e = (rv: number, prev: number): ChainLink => ({ rv: BigInt(rv), prev: BigInt(prev) });

describe('checkChain', () => {
  it.each<[string, number, number, number, ChainLink[], RegExp | undefined]>([
    ['nothing after rv', 10, 0, 10, [], undefined],
    ['first entry points back to rv', 10, 0, 20, [e(12, 10), e(15, 12)], undefined],
    ['first entry points before rv (other kinds wrote in between)', 10, 0, 20, [e(12, 7)], undefined],
    ['quiet kind: nothing since an old rv', 3, 0, 500, [], undefined],
    ['rv at the floor is fine', 100, 100, 120, [e(101, 50)], undefined],
    ['below the floor', 99, 100, 120, [], /too old resource version: 99 \(100\)/],
    ['beyond the current revision', 21, 0, 20, [], /Too large resource version: 21, current: 20/],
    ['first entry skips trimmed history', 10, 0, 20, [e(15, 12)], /too old resource version: 10 \(12\)/],
    ['a later entry skips', 10, 0, 30, [e(12, 10), e(20, 15)], /too old resource version/],
  ])('%s', (_what, rv, floor, current, entries, want) => {
    const err = checkChain(BigInt(rv), BigInt(floor), BigInt(current), entries);
    if (want === undefined) expect(err).toBeUndefined();
    else {
      expect(err).toMatchObject({ code: 410, reason: 'Expired' });
      expect(err!.message).toMatch(want);
    }
  });
});

describe('parseRevision', () => {
  it.each([['0', 0n], ['1000001', 1000001n], ['', undefined], ['-1', undefined], ['1e3', undefined], ['abc', undefined], ['1'.repeat(20), undefined]])('%j → %s', (s, want) => {
    expect(parseRevision(s)).toBe(want);
  });
});
