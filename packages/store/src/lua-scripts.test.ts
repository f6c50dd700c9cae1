import { describe, expect, it } from 'vitest';
import { expandIncludes, storeScripts } from './lua-scripts.js';

describe('expandIncludes', () => {
  it('replaces each --- @include line with the named include file', () => {
    const read = (file: string) => `-- from ${file}\nlocal x = 1\n`;
    expect(expandIncludes('#!lua\n--- @include "a-b"\nreturn x\n', read)).toBe('#!lua\n-- from include/a-b.lua\nlocal x = 1\nreturn x\n');
    expect(expandIncludes('-- --- @include "a" is not at line start\n', read)).toBe('-- --- @include "a" is not at line start\n');
  });

  it('leaves no include line in any store script; the write scripts get trimLogByAge', () => {
    const s = storeScripts();
    for (const script of Object.values(s)) expect(script.source).not.toMatch(/@include/);
    for (const w of [s.create, s.update, s.delete]) expect(w.source).toMatch(/^local function trimLogByAge\(/m);
    expect(s.create.source.startsWith('#!lua\n')).toBe(true);
  });
});
