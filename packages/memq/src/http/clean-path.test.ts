import { describe, expect, it } from 'vitest';
import { cleanPath, goPathClean } from './clean-path.js';

describe('cleanPath (httprouter path_test.go cleanTests)', () => {
  it.each([
    ['/', '/'], ['/abc', '/abc'], ['/a/b/c', '/a/b/c'], ['/abc/', '/abc/'], ['/a/b/c/', '/a/b/c/'],
    ['', '/'], ['a/', '/a/'], ['abc', '/abc'], ['abc/def', '/abc/def'], ['a/b/c', '/a/b/c'],
    ['//', '/'], ['/abc//', '/abc/'], ['/abc/def//', '/abc/def/'], ['/a/b/c//', '/a/b/c/'], ['/abc//def//ghi', '/abc/def/ghi'],
    ['//abc', '/abc'], ['///abc', '/abc'], ['//abc//', '/abc/'],
    ['.', '/'], ['./', '/'], ['/abc/./def', '/abc/def'], ['/./abc/def', '/abc/def'], ['/abc/.', '/abc/'],
    ['..', '/'], ['../', '/'], ['../../', '/'], ['../..', '/'], ['../../abc', '/abc'], ['/abc/def/ghi/../jkl', '/abc/def/jkl'],
    ['/abc/def/../ghi/../jkl', '/abc/jkl'], ['/abc/def/..', '/abc'], ['/abc/def/../..', '/'], ['/abc/def/../../..', '/'],
    ['/abc/def/../../../ghi/jkl/../../../mno', '/mno'], ['abc/./../def', '/def'], ['abc//./../def', '/def'], ['abc/../../././../def', '/def'],
    ['/memq/server//queues/q/', '/memq/server/queues/q/'],
  ])('%j → %j', (input, want) => {
    expect(cleanPath(input)).toBe(want);
  });
});

describe('goPathClean (Go path.Clean)', () => {
  it.each([
    ['', '.'], ['/', '/'], ['/a/./b/', '/a/b'], ['/a/../..', '/'], ['a/../..', '..'], ['//x', '/x'],
  ])('%j → %j', (input, want) => {
    expect(goPathClean(input)).toBe(want);
  });
});
