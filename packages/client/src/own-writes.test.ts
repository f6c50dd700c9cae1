import { describe, expect, it } from 'vitest';
import type { KObject } from '@kjobs/api';
import { OwnWrites } from './own-writes.js';

const obj = (rv: string, uid = 'u1'): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid, resourceVersion: rv } });

describe('OwnWrites', () => {
  it.each([
    // cached rv, cached uid, → pending (our write returned) or not
    ['cache older than our write: our copy', '4', 'u1', true],
    ['cache shows our write: none', '5', 'u1', false],
    ['cache newer than our write: none', '9', 'u1', false],
    ['another object with the same name: none', '4', 'u2', false],
  ])('%s', (_n, cachedRv, cachedUid, pending) => {
    const w = new OwnWrites<KObject>();
    w.record(obj('5'));
    expect(w.pending('ns/p', obj(cachedRv, cachedUid))?.metadata.resourceVersion).toBe(pending ? '5' : undefined);
  });

  it('nothing written: nothing pending', () => {
    expect(new OwnWrites<KObject>().pending('ns/p', obj('1'))).toBeUndefined();
  });

  it('the object gone from the cache: nothing pending, and the record is dropped', () => {
    const w = new OwnWrites<KObject>();
    w.record(obj('5'));
    expect(w.pending('ns/p', undefined)).toBeUndefined();
    expect(w.pending('ns/p', obj('4'))).toBeUndefined();
  });

  it('once the cache caught up the record is dropped (an older copy later is not waited for)', () => {
    const w = new OwnWrites<KObject>();
    w.record(obj('5'));
    expect(w.pending('ns/p', obj('5'))).toBeUndefined();
    expect(w.pending('ns/p', obj('4'))).toBeUndefined();
  });

  it('forget drops the record', () => {
    const w = new OwnWrites<KObject>();
    w.record(obj('5'));
    w.forget('ns/p');
    expect(w.pending('ns/p', obj('4'))).toBeUndefined();
  });
});
