import { describe, expect, it } from 'vitest';
import { mapSelectorString, selectorString } from './selectors.js';

describe('selectorString (LabelSelectorAsSelector(...).String())', () => {
  it.each([
    [{ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, 'batch.kubernetes.io/controller-uid=u1'],
    [{ matchLabels: { component: 'queue', app: 'work-queue', chapter: 'jobs' } }, 'app=work-queue,chapter=jobs,component=queue'],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['b', 'a'] }, { key: 'env', operator: 'NotIn' as const, values: ['prod'] }] }, 'env notin (prod),tier in (a,b)'],
    [{ matchExpressions: [{ key: 'x', operator: 'Exists' as const }, { key: 'y', operator: 'DoesNotExist' as const }] }, 'x,!y'],
    [{}, ''], [undefined, ''],
  ])('%j → %s', (sel, want) => {
    expect(selectorString(sel)).toBe(want);
  });
  it('a Service selector map', () => {
    expect(mapSelectorString({ component: 'queue', app: 'work-queue' })).toBe('app=work-queue,component=queue');
  });
});
