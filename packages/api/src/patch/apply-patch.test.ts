import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import type { KObject } from '../types.js';
import { applyPatch } from './apply-patch.js';

const job: KObject = {
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', labels: { a: '1' } },
  spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }, { name: 'd', image: 'y:1' }] } } },
};

describe('applyPatch picks the engine by Content-Type', () => {
  it.each<[string, unknown, unknown]>([
    ['application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'c', image: 'x:2' }] } } } },
      [{ name: 'c', image: 'x:2' }]],
    ['application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'c', image: 'x:2' }] } } } },
      [{ name: 'c', image: 'x:2' }, { name: 'd', image: 'y:1' }]],
    ['application/strategic-merge-patch+json; charset=utf-8', { spec: { template: { spec: { containers: [{ name: 'd', image: 'y:2' }] } } } },
      [{ name: 'c', image: 'x:1' }, { name: 'd', image: 'y:2' }]],
    ['application/json-patch+json', [{ op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'y:3' }],
      [{ name: 'c', image: 'x:1' }, { name: 'd', image: 'y:3' }]],
  ])('%s', (contentType, patch, containers) => {
    const out = applyPatch(contentType, job, patch, 'Job') as KObject & { spec: { template: { spec: { containers: unknown } } } };
    expect(out.spec.template.spec.containers).toStrictEqual(containers);
    expect(out.metadata).toStrictEqual(job.metadata);
  });

  it.each(['application/apply-patch+yaml', 'application/json', undefined])('answers 415 for %s', (contentType) => {
    const e = (() => {
      try {
        applyPatch(contentType, job, {}, 'Job');
      } catch (err) {
        return err as ApiError;
      }
      throw new Error('expected a 415');
    })();
    expect(e.code).toBe(415);
    expect(e.message).toBe('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json');
  });

  it('answers 400 when a JSON patch replaces the whole object with a non-object', () => {
    expect(() => applyPatch('application/json-patch+json', job, [{ op: 'replace', path: '', value: 3 }], 'Job')).toThrowError(/did not produce an object/);
  });

  it.each<[string, unknown, string]>([
    ['application/merge-patch+json', [{ a: 1 }], 'the merge patch must be a JSON object'],
    ['application/merge-patch+json', null, 'the merge patch must be a JSON object'],
    ['application/strategic-merge-patch+json', 'x', 'the strategic merge patch must be a JSON object'],
    ['application/json-patch+json', { op: 'add' }, 'the JSON patch must be an array of operations'],
  ])('answers 400 for a %s body of the wrong shape: %j', (contentType, patch, message) => {
    const e = (() => {
      try {
        applyPatch(contentType, job, patch, 'Job');
      } catch (err) {
        return err as ApiError;
      }
      throw new Error('expected a 400');
    })();
    expect(e.code).toBe(400);
    expect(e.message).toBe(message);
  });

  it('compares the media type without case, as Go\'s mime.ParseMediaType does', () => {
    const out = applyPatch('Application/Merge-Patch+JSON', job, { metadata: { labels: { b: '2' } } }, 'Job');
    expect(out.metadata.labels).toStrictEqual({ a: '1', b: '2' });
  });

  it('never mutates the stored object', () => {
    const before = JSON.stringify(job);
    applyPatch('application/json-patch+json', job, [{ op: 'replace', path: '/metadata/name', value: 'other' }], 'Job');
    applyPatch('application/merge-patch+json', job, { spec: null }, 'Job');
    applyPatch('application/strategic-merge-patch+json', job, { metadata: { labels: { a: null } } }, 'Job');
    expect(JSON.stringify(job)).toBe(before);
  });

  it('gives a result without metadata an empty one, and leaves metadata of the wrong type to the decoder', () => {
    expect(applyPatch('application/json-patch+json', job, [{ op: 'remove', path: '/metadata' }], 'Job').metadata).toStrictEqual({});
    expect(applyPatch('application/json-patch+json', job, [{ op: 'replace', path: '/metadata', value: 'x' }], 'Job').metadata).toBe('x');
  });
});
