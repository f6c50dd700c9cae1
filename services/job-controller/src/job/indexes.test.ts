import { describe, expect, it } from 'vitest';
import { countIndexes, firstPendingIndexes, formatIndexes, hasIndex, parseIndexes, podCompletionIndex, withIndexes } from './indexes.js';
import { makeJob, makePod } from './test-fixtures.js';

describe('parseIndexes', () => {
  it.each([
    ['', 10, []],
    ['1,3-5,7', 10, [{ first: 1, last: 1 }, { first: 3, last: 5 }, { first: 7, last: 7 }]],
    ['0,1,2', 10, [{ first: 0, last: 2 }]],
    ['2-3,4-6', 10, [{ first: 2, last: 6 }]],
    ['1-20', 10, [{ first: 1, last: 9 }]],
    ['1,12,3', 10, [{ first: 1, last: 1 }]],
    ['a,2,x-3,4-y,5', 10, [{ first: 2, last: 2 }, { first: 5, last: 5 }]],
  ])('parses %j with completions %i', (text, completions, want) => {
    expect(parseIndexes(text, completions)).toEqual(want);
  });
});

describe('formatIndexes', () => {
  it.each([
    [[], ''],
    [[{ first: 1, last: 1 }], '1'],
    [[{ first: 1, last: 2 }], '1,2'],
    [[{ first: 3, last: 5 }], '3-5'],
    [[{ first: 1, last: 1 }, { first: 3, last: 5 }, { first: 7, last: 8 }], '1,3-5,7,8'],
  ])('formats %j as %j (three or more consecutive as a range, two as a,b)', (ivs, want) => {
    expect(formatIndexes(ivs)).toBe(want);
  });

  it('round-trips through parse for any set of indexes', () => {
    const set = [0, 1, 2, 4, 6, 7, 9, 10, 11, 12];
    const ivs = withIndexes([], set);
    expect(formatIndexes(ivs)).toBe('0-2,4,6,7,9-12');
    expect(parseIndexes(formatIndexes(ivs), 100)).toEqual(ivs);
    expect(countIndexes(ivs)).toBe(set.length);
  });
});

describe('withIndexes / hasIndex', () => {
  it('merges new indexes into existing intervals, coalescing neighbours', () => {
    const ivs = withIndexes(parseIndexes('1,3-5', 10), [2, 6, 9, 9]);
    expect(formatIndexes(ivs)).toBe('1-6,9');
    expect([0, 1, 6, 7, 9].map((i) => hasIndex(ivs, i))).toEqual([false, true, true, false, true]);
  });
});

describe('podCompletionIndex', () => {
  const job = makeJob();
  it.each([
    [{ ann: '3' }, 3],
    [{ ann: '-1' }, -1],
    [{ ann: 'x' }, -1],
    [{ label: '4' }, 4],
    [{}, -1],
  ])('reads %j as %i', (src, want) => {
    const pod = makePod(job, 'p');
    if ('ann' in src) pod.metadata.annotations = { 'batch.kubernetes.io/job-completion-index': src.ann! };
    if ('label' in src) pod.metadata.labels = { 'batch.kubernetes.io/job-completion-index': src.label! };
    expect(podCompletionIndex(pod)).toBe(want);
  });
});

describe('firstPendingIndexes', () => {
  it.each([
    [3, 5, '', [0, 1, 2]],
    [3, 5, '0,2', [1, 3, 4]],
    [10, 5, '1-3', [0, 4]],
    [2, 5, '0-4', []],
    [0, 5, '', []],
  ])('takes %i of [0,%i) skipping %j', (count, completions, taken, want) => {
    expect(firstPendingIndexes(count, completions, parseIndexes(taken, completions))).toEqual(want);
  });
});
