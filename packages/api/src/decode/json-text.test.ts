import { describe, expect, it } from 'vitest';
import { formatPath, goQuoteChar, JsonSyntaxError, JsonTooDeepError, parseJsonText } from './json-text.js';

describe('parseJsonText', () => {
  it.each([
    ['{"a":1,"b":[true,false,null],"c":"x\\n\\u00e9"}'],
    ['  [1, -2.5e3, 0, {"k": {}}, []] '],
    ['"\\"\\\\\\/\\b\\f\\r\\t"'],
    ['{"__proto__": {"x": 1}}'],
  ])('gives JSON.parse\'s value for %s', (text) => {
    expect(parseJsonText(text).value).toEqual(JSON.parse(text));
  });

  it('keeps "__proto__" as an own key, not the prototype', () => {
    const v = parseJsonText('{"__proto__": {"polluted": 1}}').value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it.each([
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{"a":1', 'unexpected end of JSON input'],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.e5', "invalid character 'e' after decimal point in numeric literal"],
    ['1e+', 'unexpected end of JSON input'],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
  ])('refuses %j with Go\'s message %s', (text, message) => {
    expect(() => parseJsonText(text)).toThrow(JsonSyntaxError);
    expect(() => parseJsonText(text)).toThrow(message);
  });

  it('reports repeated keys by path, in document order, the last value winning', () => {
    const { value, facts } = parseJsonText('{"metadata":{"name":"a","name":"b"},"spec":{"c":[{"x":1,"x":2}],"p":true,"p":false}}');
    expect(value).toEqual({ metadata: { name: 'b' }, spec: { c: [{ x: 2 }], p: false } });
    expect(facts.duplicates.map((d) => d.path)).toEqual(['metadata.name', 'spec.c[0].x', 'spec.p']);
  });

  it('records the text of numbers a JS number does not hold, or that are not plain integers', () => {
    const { value, facts } = parseJsonText('{"a":9007199254740993,"b":1.0,"c":1e3,"d":42,"e":[18446744073709551616]}');
    const v = value as { e: number[] };
    const m = facts.numbers.get(value as object)!;
    expect([...m.entries()]).toEqual([['a', '9007199254740993'], ['b', '1.0'], ['c', '1e3']]);
    expect(facts.numbers.get(v.e)!.get('0')).toBe('18446744073709551616');
  });

  it('refuses nesting past maxDepth while parsing (no stack overflow, however deep)', () => {
    expect(() => parseJsonText('['.repeat(200_000), { maxDepth: 100 })).toThrow(JsonTooDeepError);
    expect(() => parseJsonText('{"a":'.repeat(101) + '1' + '}'.repeat(101), { maxDepth: 100 })).toThrow('nested more than 100 levels deep');
    expect(parseJsonText('['.repeat(100) + ']'.repeat(100), { maxDepth: 100 }).value).toBeInstanceOf(Array);
  });

  it('records where each key first appears', () => {
    const text = '{"a":1,"b":{"c":2}}';
    const { value, facts } = parseJsonText(text);
    expect(facts.keyOffsets.get(value as object)!.get('b')).toBe(text.indexOf('"b"'));
  });
});

describe('formatPath and goQuoteChar', () => {
  it.each([
    [['spec', 'template', 'spec', 'containers', 0, 'image'], 'spec.template.spec.containers[0].image'],
    [[0, 'foo'], '[0].foo'],
    [[], ''],
  ])('%j → %s', (segments, path) => {
    expect(formatPath(segments as (string | number)[])).toBe(path);
  });

  it.each([['}', "'}'"], ['"', `'"'`], ["'", "'\\''"], ['\n', "'\\n'"], ['\u0001', "'\\x01'"]])('%j → %s', (c, q) => {
    expect(goQuoteChar(c)).toBe(q);
  });
});
