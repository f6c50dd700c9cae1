import { describe, expect, it } from 'vitest';
import { Expectations, UidExpectations } from './expectations.js';

describe('Expectations', () => {
  it.each([
    // adds, dels expected; creations, deletions observed → satisfied
    ['nothing expected', 0, 0, 0, 0, true],
    ['2 creates, 1 seen', 2, 0, 1, 0, false],
    ['2 creates, both seen', 2, 0, 2, 0, true],
    ['1 delete pending', 0, 1, 0, 0, false],
    ['creates and deletes all seen', 1, 2, 1, 2, true],
  ])('%s', (_n, adds, dels, created, deleted, satisfied) => {
    const e = new Expectations();
    e.raise('k', adds, dels);
    for (let i = 0; i < created; i++) e.creationObserved('k');
    for (let i = 0; i < deleted; i++) e.deletionObserved('k');
    expect(e.satisfied('k')).toBe(satisfied);
  });

  it('a record older than the TTL counts as satisfied', () => {
    let now = 0;
    const e = new Expectations(1000, () => now);
    e.raise('k', 1, 0);
    now = 1001;
    expect(e.satisfied('k')).toBe(true);
  });
});

describe('UidExpectations', () => {
  it('expected uids until observed; delete forgets the key', () => {
    const u = new UidExpectations();
    u.expectUids('k', ['a', 'b']);
    expect([...u.expectedUids('k')].sort()).toEqual(['a', 'b']);
    u.observed('k', 'a');
    expect([...u.expectedUids('k')]).toEqual(['b']);
    u.delete('k');
    expect(u.expectedUids('k').size).toBe(0);
  });

  it('expectedUids is a copy: an observation after it was taken does not change it', () => {
    const u = new UidExpectations();
    u.expectUids('k', ['a']);
    const snapshot = u.expectedUids('k');
    u.observed('k', 'a');
    expect(snapshot.has('a')).toBe(true);
    expect(u.expectedUids('k').has('a')).toBe(false);
  });
});
