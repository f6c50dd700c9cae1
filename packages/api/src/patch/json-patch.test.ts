import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { applyJsonPatch, parseJsonPointer } from './json-patch.js';

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('applyJsonPatch: RFC 6902 Appendix A', () => {
  it.each([
    ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    ['A.6 move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
    ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
      { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 test a value (success)', { baz: 'qux', foo: ['a', 2, 'c'] },
      [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }],
      { foo: 'bar', child: { grandchild: {} } }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
    ['~1 addresses a key with a slash (a label)', { metadata: { labels: {} } },
      [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }], { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } }],
    ['add replaces an existing member', { a: 1 }, [{ op: 'add', path: '/a', value: 2 }], { a: 2 }],
    ['add at "" replaces the document', { a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }], { b: 2 }],
    ['add at the array length appends', { a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2] }],
    ['copy duplicates a value deeply', { a: { x: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }], { a: { x: [1] }, b: { x: [1] } }],
    ['test compares objects regardless of key order', { a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], { a: { x: 1, y: 2 } }],
    ['operations apply in sequence', { n: 1 }, [{ op: 'replace', path: '/n', value: 2 }, { op: 'test', path: '/n', value: 2 }], { n: 2 }],
  ])('%s', (_name, target, ops, want) => {
    expect(applyJsonPatch(target, ops)).toStrictEqual(want);
  });
});

describe('applyJsonPatch: failures', () => {
  it.each([
    ['A.9 a failed test', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 422, /testing value \/baz failed/],
    ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 422, /missing path/],
    ['A.15 test is type-strict ("10" is not 10)', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 422, /test failed/],
    ['remove a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], 422, /missing path/],
    ['replace a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 1 }], 422, /missing path/],
    ['an index past the end', { a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }], 422, /invalid index/],
    ['a leading-zero index', { a: [1, 2] }, [{ op: 'remove', path: '/a/01' }], 422, /missing path/],
    ['"-" outside add', { a: [1] }, [{ op: 'remove', path: '/a/-' }], 422, /missing path/],
    ['move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 422, /prefix/],
    ['copy from a missing path', { a: 1 }, [{ op: 'copy', from: '/x', path: '/y' }], 422, /missing path/],
    ['A.13 not an array of operations', { a: 1 }, { op: 'add', path: '/b', value: 1 }, 400, /JSON array/],
    ['an unknown op', { a: 1 }, [{ op: 'frobnicate', path: '/a' }], 400, /unknown "op"/],
    ['add without a value', { a: 1 }, [{ op: 'add', path: '/b' }], 400, /missing "value"/],
    ['a path without a leading slash', { a: 1 }, [{ op: 'remove', path: 'a' }], 400, /JSON pointer/],
    ['a bad ~ escape', { a: 1 }, [{ op: 'remove', path: '/a~2' }], 400, /~/],
    ['move without from', { a: 1 }, [{ op: 'move', path: '/b' }], 400, /"from"/],
  ])('%s', (_name, target, ops, code, message) => {
    const e = errorOf(() => applyJsonPatch(target, ops));
    expect(e.code).toBe(code);
    expect(e.reason).toBe(code === 422 ? 'Invalid' : 'BadRequest');
    expect(e.message).toMatch(message);
  });

  it('refuses more than 10000 operations with 413, as kube-apiserver', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '', value: {} }));
    expect(errorOf(() => applyJsonPatch({}, ops)).code).toBe(413);
  });

  it('is all or nothing and never mutates its inputs', () => {
    const target = { a: [1, 2], b: { c: 1 } };
    const ops = [{ op: 'remove', path: '/a/0' }, { op: 'add', path: '/b/d', value: { e: 1 } }, { op: 'test', path: '/a/0', value: 99 }];
    expect(() => applyJsonPatch(target, ops)).toThrow(ApiError);
    expect(target).toStrictEqual({ a: [1, 2], b: { c: 1 } });
    const out = applyJsonPatch(target, ops.slice(0, 2)) as { b: { d: { e: number } } };
    out.b.d.e = 2;
    expect(ops[1]).toStrictEqual({ op: 'add', path: '/b/d', value: { e: 1 } });
  });
});

describe('parseJsonPointer', () => {
  it.each([
    ['', []],
    ['/', ['']],
    ['/a/b', ['a', 'b']],
    ['/a~1b/c~0d', ['a/b', 'c~d']],
    ['/~01', ['~1']],
  ])('%j → %j', (pointer, want) => {
    expect(parseJsonPointer(pointer)).toEqual(want);
  });
});
