import { describe, expect, it } from 'vitest';
import { goJson, sortKeys } from './go-json.js';

describe('goJson', () => {
  it.each([
    [{ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}'],
    ['<a href="x">&</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"'],
    ['line\u2028sep\u2029', '"line\\u2028sep\\u2029"'],
    ['tab\tnl\n', '"tab\\tnl\\n"'],
    [{ a: undefined, b: 1 }, '{"b":1}'],
    [[3, 'x', true, null], '[3,"x",true,null]'],
  ])('%j', (v, want) => {
    expect(goJson(v)).toBe(want);
  });
  it('sortKeys copies deeply and keeps arrays in order', () => {
    const src = { b: [{ d: 1, c: 2 }], a: 1 };
    const out = sortKeys(src);
    expect(Object.keys(out)).toEqual(['a', 'b']);
    expect(Object.keys(out.b[0]!)).toEqual(['c', 'd']);
    expect(Object.keys(src)).toEqual(['b', 'a']);
  });
});
