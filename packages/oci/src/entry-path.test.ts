import { describe, expect, it } from 'vitest';
import { entryParts, hardlinkTargetParts, whiteoutOf } from './entry-path.js';
import { UnsafeLayerEntryError } from './errors.js';

describe('entryParts', () => {
  it.each([
    ['a/b', ['a', 'b']],
    ['./a/b/', ['a', 'b']],
    ['././a//./b', ['a', 'b']],
    ['./', []],
    ['.', []],
    ['a..b/..c', ['a..b', '..c']],
  ])('%j → %j', (name, parts) => { expect(entryParts(name)).toEqual(parts); });

  it.each([
    ['/abs', /absolute path/],
    ['../evil', /escapes the layer/],
    ['a/../../b', /escapes the layer/],
    ['./..', /escapes the layer/],
    ['a\0b', /NUL/],
  ])('refuses %j', (name, why) => {
    expect(() => entryParts(name)).toThrow(UnsafeLayerEntryError);
    expect(() => entryParts(name)).toThrow(why);
  });
});

describe('hardlinkTargetParts', () => {
  it.each([
    ['x', 'a/b', ['a', 'b']],
    ['x', './a/b', ['a', 'b']],
  ])('%s → %s', (entry, link, parts) => { expect(hardlinkTargetParts(entry, link)).toEqual(parts); });
  it.each([
    ['/etc/shadow', /is absolute/],
    ['../../x', /escapes the layer/],
    ['a/../b', /escapes the layer/],
    ['./', /layer root/],
  ])('refuses a link to %j', (link, why) => {
    expect(() => hardlinkTargetParts('h', link)).toThrow(why);
    expect(() => hardlinkTargetParts('h', link)).toThrow(/refused layer entry "h"/);
  });
});

describe('whiteoutOf', () => {
  it.each([
    ['etc/passwd', undefined],
    ['etc/.wh.passwd', { kind: 'file', target: ['etc', 'passwd'] }],
    ['.wh.top', { kind: 'file', target: ['top'] }],
    ['var/cache/.wh..wh..opq', { kind: 'opaque', dir: ['var', 'cache'] }],
    ['.wh..wh..opq', { kind: 'opaque', dir: [] }],
    ['a/.wh..wh.plnk', { kind: 'meta' }],
    ['.wh..wh.plnk/1.2', { kind: 'meta' }],
    ['a/x.wh.y', undefined],
  ])('%j → %j', (name, want) => { expect(whiteoutOf(name, entryParts(name))).toEqual(want); });
  it.each(['a/.wh.', 'a/.wh..', 'a/.wh...'])('refuses %j', (name) => {
    expect(() => whiteoutOf(name, entryParts(name))).toThrow(/whiteout of no file/);
  });
});
