import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('parseLabelSelector', () => {
  it.each([
    ['a=b', [{ key: 'a', operator: '=', values: ['b'] }]],
    ['a==b', [{ key: 'a', operator: '=', values: ['b'] }]],
    ['a!=b', [{ key: 'a', operator: '!=', values: ['b'] }]],
    ['env in (prod, dev)', [{ key: 'env', operator: 'in', values: ['prod', 'dev'] }]],
    ['env notin (x)', [{ key: 'env', operator: 'notin', values: ['x'] }]],
    ['a,!b', [{ key: 'a', operator: 'exists', values: [] }, { key: 'b', operator: '!', values: [] }]],
    ['batch.kubernetes.io/controller-uid=abc-1', [{ key: 'batch.kubernetes.io/controller-uid', operator: '=', values: ['abc-1'] }]],
  ])('parses %s', (input, want) => {
    expect(parseLabelSelector(input)).toEqual(want);
  });

  it.each(['a in b', 'a=(', '=b', 'a=b c', 'UPPER/x=1'])('rejects %s with 400', (input) => {
    expect(() => parseLabelSelector(input)).toThrowError(/unable to parse requirement/);
  });
});

describe('matchesLabels', () => {
  const labels = { app: 'web', tier: 'fe' };
  it.each([
    ['app=web', true],
    ['app=db', false],
    ['app!=db', true],
    ['tier in (fe,be)', true],
    ['tier notin (fe)', false],
    ['missing', false],
    ['!missing', true],
    ['app,tier=fe', true],
    ['', true],
  ])('%s → %s', (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1' } };
  it('matches equality and inequality on nested fields', () => {
    expect(matchesFields(parseFieldSelector('spec.nodeName=n1,metadata.name=p'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName!=n1'), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector('status.phase='), pod)).toBe(true);
  });
  it('rejects fields the kind does not support', () => {
    expect(() => parseFieldSelector('spec.bogus=1', ['spec.nodeName'])).toThrowError(/field label not supported/);
  });
});
