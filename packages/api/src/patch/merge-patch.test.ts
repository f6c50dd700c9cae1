import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.js';

describe('applyMergePatch (RFC 7386 Appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j → %j', (target, patch, want) => {
    expect(applyMergePatch(target, patch)).toStrictEqual(want);
  });
});

describe('applyMergePatch on Kubernetes objects', () => {
  const job = {
    metadata: { name: 'pi', labels: { a: '1', b: '2' }, annotations: { keep: 'x' } },
    spec: { parallelism: 2, template: { spec: { containers: [{ name: 'c', image: 'perl' }] } } },
  };

  it.each([
    ['kubectl label: add and remove labels', { metadata: { labels: { c: '3', b: null } } },
      { ...job, metadata: { ...job.metadata, labels: { a: '1', c: '3' } } }],
    ['lists are replaced whole, never merged', { spec: { template: { spec: { containers: [{ name: 'd' }] } } } },
      { ...job, spec: { ...job.spec, template: { spec: { containers: [{ name: 'd' }] } } } }],
    ['null deletes a nested field', { spec: { parallelism: null } },
      { ...job, spec: { template: job.spec.template } }],
    ['an empty patch changes nothing', {}, job],
  ])('%s', (_name, patch, want) => {
    expect(applyMergePatch(job, patch)).toStrictEqual(want);
  });

  it('never mutates the target or the patch', () => {
    const target = structuredClone(job);
    const patch = { metadata: { labels: { a: null, z: { deep: true } } } };
    const patchCopy = structuredClone(patch);
    const out = applyMergePatch(target, patch) as typeof job & { metadata: { labels: Record<string, unknown> } };
    expect(target).toStrictEqual(job);
    expect(patch).toStrictEqual(patchCopy);
    (out.metadata.labels.z as { deep: boolean }).deep = false;
    expect(patch.metadata.labels.z.deep).toBe(true);
  });

  it('treats "__proto__" as an ordinary key, never as the prototype', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__']);
  });
});
