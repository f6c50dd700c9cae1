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
});
