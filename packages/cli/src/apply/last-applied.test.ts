import { describe, expect, it } from 'vitest';
import type { KObject } from '@kjobs/api';
import { LAST_APPLIED_ANNOTATION, lastAppliedConfiguration, patchTypeFor, planApply, withLastApplied } from './last-applied.js';

const parallel: KObject = {
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: { name: 'parallel', labels: { chapter: 'jobs' }, namespace: 'default' },
  spec: {
    parallelism: 5, completions: 10,
    template: {
      metadata: { labels: { chapter: 'jobs' } },
      spec: {
        containers: [{ name: 'kuard', image: 'gcr.io/kuar-demo/kuard-amd64:blue', imagePullPolicy: 'Always', command: ['/kuard'], args: ['--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen=10'] }],
        restartPolicy: 'OnFailure',
      },
    },
  },
};

describe('lastAppliedConfiguration', () => {
  it('is the compact, key-sorted manifest with "annotations":{} and the namespace, ending in a newline', () => {
    expect(lastAppliedConfiguration(parallel)).toBe(
      '{"apiVersion":"batch/v1","kind":"Job","metadata":{"annotations":{},"labels":{"chapter":"jobs"},"name":"parallel","namespace":"default"},'
      + '"spec":{"completions":10,"parallelism":5,"template":{"metadata":{"labels":{"chapter":"jobs"}},"spec":{"containers":[{"args":["--keygen-enable",'
      + '"--keygen-exit-on-complete","--keygen-num-to-gen=10"],"command":["/kuard"],"image":"gcr.io/kuar-demo/kuard-amd64:blue","imagePullPolicy":"Always",'
      + '"name":"kuard"}],"restartPolicy":"OnFailure"}}}}\n');
  });
  it.each([
    {
      name: 'user annotations are kept; an old last-applied is dropped (no recursion)',
      m: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'q', namespace: 'default', annotations: { team: 'a', [LAST_APPLIED_ANNOTATION]: 'old' } }, spec: {} },
      want: '{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{"team":"a"},"name":"q","namespace":"default"},"spec":{}}\n',
    },
    {
      name: 'Go escapes <, > and & in strings',
      m: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', command: ['sh', '-c', 'a && b > c <d'] }] } },
      want: '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"p","namespace":"default"},"spec":{"containers":[{"command":["sh","-c","a \\u0026\\u0026 b \\u003e c \\u003cd"],"name":"c"}]}}\n',
    },
  ])('$name', ({ m, want }) => {
    expect(lastAppliedConfiguration(m as KObject)).toBe(want);
  });

  it('withLastApplied adds the annotation to the object sent', () => {
    const o = withLastApplied(parallel);
    expect(o.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBe(lastAppliedConfiguration(parallel));
    expect(o.metadata.labels).toEqual({ chapter: 'jobs' });
  });
});

describe('planApply', () => {
  const live = (m: KObject, status: unknown): KObject => ({
    ...withLastApplied(m),
    metadata: { ...withLastApplied(m).metadata, uid: 'u', resourceVersion: '7', labels: { ...m.metadata.labels, 'job-name': m.metadata.name! } },
    status,
  });
  it.each([
    { name: 'same manifest: unchanged', m: parallel, cur: live(parallel, { active: 5 }), keys: [] as string[], missing: false },
    { name: 'parallelism changed: patch with the new annotation', m: { ...parallel, spec: { ...(parallel.spec as object), parallelism: 2 } }, cur: live(parallel, {}), keys: ['metadata', 'spec'], missing: false },
    { name: 'object made by create (no annotation): patched and flagged', m: parallel, cur: { ...parallel, metadata: { ...parallel.metadata, uid: 'u' } }, keys: ['metadata'], missing: true },
  ])('$name', ({ m, cur, keys, missing }) => {
    const plan = planApply(m as KObject, cur);
    expect(Object.keys(plan.patch).sort()).toEqual(keys);
    expect(plan.missingAnnotation).toBe(missing);
    expect(plan.contentType).toBe('application/strategic-merge-patch+json');
  });
  it('kinds kubectl does not compile in get a JSON merge patch', () => {
    expect(patchTypeFor('Widget').contentType).toBe('application/merge-patch+json');
    expect(patchTypeFor('CronJob').contentType).toBe('application/strategic-merge-patch+json');
  });
});
