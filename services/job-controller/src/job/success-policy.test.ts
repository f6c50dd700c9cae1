import { describe, expect, it } from 'vitest';
import { parseIndexes } from './indexes.js';
import { matchSuccessPolicy } from './success-policy.js';

describe('matchSuccessPolicy', () => {
  it.each([
    ['succeededIndexes all done', [{ succeededIndexes: '0,2-3' }], '0,2,3', 'Matched rules at index 0'],
    ['succeededIndexes not all done', [{ succeededIndexes: '0,2-3' }], '0,2', null],
    ['succeededCount reached', [{ succeededCount: 3 }], '1,4,7', 'Matched rules at index 0'],
    ['succeededCount not reached', [{ succeededCount: 4 }], '1,4,7', null],
    ['both: count of the listed indexes', [{ succeededIndexes: '0-4', succeededCount: 2 }], '3,4,8', 'Matched rules at index 0'],
    ['both: listed indexes short of the count', [{ succeededIndexes: '0-4', succeededCount: 2 }], '4,8,9', null],
    ['first met rule wins', [{ succeededCount: 9 }, { succeededIndexes: '5' }, { succeededCount: 1 }], '5', 'Matched rules at index 1'],
    ['an unparseable rule is skipped', [{ succeededIndexes: 'x' }, { succeededCount: 1 }], '0', 'Matched rules at index 1'],
    ['nothing succeeded', [{ succeededCount: 0 }], '', null],
  ])('%s', (_name, rules, succeeded, message) => {
    const m = matchSuccessPolicy({ rules }, 10, parseIndexes(succeeded, 10));
    expect(m?.message ?? null).toBe(message);
  });
});
