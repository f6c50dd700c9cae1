import { describe, expect, it } from 'vitest';
import { goJson, goJsonBytes, goJsonIndent, goJsonString } from './go-json.js';

describe('goJsonBytes: Go encoding/json of raw bytes (escapeHTML on, Go 1.12)', () => {
  it.each([
    ['plain ASCII', Buffer.from('work-item-1'), '"work-item-1"'],
    ['empty', Buffer.alloc(0), '""'],
    ['HTML escaped (verified on kuard)', Buffer.from('<a&b>'), '"\\u003ca\\u0026b\\u003e"'],
    ['quotes and backslash', Buffer.from('a"b\\c'), '"a\\"b\\\\c"'],
    ['short escapes', Buffer.from('\n\r\t'), '"\\n\\r\\t"'],
    ['no \\b or \\f in Go 1.12', Buffer.from('\b\f\u0000\u001f'), '"\\u0008\\u000c\\u0000\\u001f"'],
    ['DEL is raw', Buffer.from('\u007f'), '"\u007f"'],
    ['valid UTF-8 is raw', Buffer.from('工作€😀'), '"工作€😀"'],
    ['line/paragraph separators', Buffer.from('a\u2028b\u2029'), '"a\\u2028b\\u2029"'],
    ['a real U+FFFD stays raw', Buffer.from('\ufffd'), '"\ufffd"'],
    ['each invalid byte → \\ufffd', Buffer.from([0x61, 0xff, 0xfe, 0x62]), '"a\\ufffd\\ufffdb"'],
    ['truncated sequence: one escape per byte (not WHATWG maximal subpart)', Buffer.from([0xe2, 0x82, 0x41]), '"\\ufffd\\ufffdA"'],
    ['overlong', Buffer.from([0xc0, 0xaf]), '"\\ufffd\\ufffd"'],
    ['surrogate half', Buffer.from([0xed, 0xa0, 0x80]), '"\\ufffd\\ufffd\\ufffd"'],
    ['invalid mixed with escapes and separators', Buffer.from([0x3c, 0xff, 0xe2, 0x80, 0xa8, 0xe2, 0x82, 0xac]), '"\\u003c\\ufffd\\u2028€"'],
  ])('%s', (_, input, want) => {
    expect(goJsonBytes(input)).toBe(want);
  });
});

describe('goJsonString', () => {
  it.each([
    ['with space', '"with space"'],
    ['<x>', '"\\u003cx\\u003e"'],
    ['lone \ud800 surrogate', '"lone \\ufffd surrogate"'],
    ['pair 😀', '"pair 😀"'],
  ])('%j → %s', (input, want) => {
    expect(goJsonString(input)).toBe(want);
  });
});

describe('goJson / goJsonIndent', () => {
  it('keeps insertion order compactly', () => {
    expect(goJson({ kind: 'stats', queues: [{ name: 'a&b', depth: 1 }], ok: true, n: null })).toBe(
      '{"kind":"stats","queues":[{"name":"a\\u0026b","depth":1}],"ok":true,"n":null}',
    );
  });
  it('indents like json.MarshalIndent with sorted map keys', () => {
    expect(goJsonIndent({ b: { y: 1, x: '<' }, a: false, c: {} }, true)).toBe('{\n  "a": false,\n  "b": {\n    "x": "\\u003c",\n    "y": 1\n  },\n  "c": {}\n}');
  });
});
