import { describe, expect, it } from 'vitest';
import { cloneJson } from './json-value.js';

describe('cloneJson', () => {
  it('copies deeply: the copy shares nothing with the original', () => {
    const src = { a: [1, { b: 'x' }], c: { d: null, e: true, f: 1.5 }, g: undefined as unknown };
    const out = cloneJson(src);
    expect(out).toEqual(src);
    expect('g' in out).toBe(true);
    out.a.push(2);
    (out.a[1] as { b: string }).b = 'y';
    out.c.e = false;
    expect(src).toEqual({ a: [1, { b: 'x' }], c: { d: null, e: true, f: 1.5 }, g: undefined });
    expect(cloneJson(undefined)).toBeUndefined();
    expect(cloneJson('s')).toBe('s');
  });

  it('keeps a "__proto__" key from JSON.parse as an own property, not the prototype', () => {
    const src = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
    const out = cloneJson(src);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__', 'k']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"k":1}');
  });
});
