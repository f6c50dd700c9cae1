import { describe, expect, it } from 'vitest';
import { assertBodyDepth, MAX_BODY_DEPTH } from './body-depth.js';

const nest = (depth: number, kind: 'array' | 'object') =>
  JSON.parse(kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1)) as unknown;

describe('assertBodyDepth', () => {
  it.each(['array', 'object'] as const)('accepts %s nesting up to the limit and refuses one level more', (kind) => {
    expect(() => assertBodyDepth(nest(MAX_BODY_DEPTH, kind))).not.toThrow();
    expect(() => assertBodyDepth(nest(MAX_BODY_DEPTH + 1, kind))).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
  });

  it('checks 100,000 levels without overflowing its own stack', () => {
    expect(() => assertBodyDepth(nest(100_000, 'object'))).toThrow(/nested more than 100 levels deep/);
  });

  it('passes scalars and ordinary objects', () => {
    for (const v of [undefined, null, 1, 'x', [], {}, { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } }]) {
      expect(() => assertBodyDepth(v)).not.toThrow();
    }
  });
});
