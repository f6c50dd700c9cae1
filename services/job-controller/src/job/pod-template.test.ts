import { describe, expect, it } from 'vitest';
import { buildPodForJob, podGenerateNameWithIndex } from './pod-template.js';
import { makeJob } from './test-fixtures.js';

describe('buildPodForJob', () => {
  it('builds a NonIndexed pod with labels, owner reference and tracking finalizer', () => {
    const job = makeJob();
    const pod = buildPodForJob(job);
    expect(pod.metadata.generateName).toBe('pi-');
    expect(pod.metadata.namespace).toBe('default');
    expect(pod.metadata.labels).toMatchObject({ app: 'pi', 'batch.kubernetes.io/job-name': 'pi', 'job-name': 'pi', 'controller-uid': 'job-uid', 'batch.kubernetes.io/controller-uid': 'job-uid' });
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }]);
    expect(pod.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(pod.spec.hostname).toBeUndefined();
    expect(pod.spec.containers[0]!.env).toBeUndefined();
  });

  it('builds an Indexed pod with index annotation, label, env, hostname and generateName', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 5 });
    job.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox', env: [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }] }];
    job.spec.template.spec.subdomain = 'workers';
    const pod = buildPodForJob(job, { index: 3 });
    expect(pod.metadata.generateName).toBe('pi-3-');
    expect(pod.metadata.annotations).toMatchObject({ 'batch.kubernetes.io/job-completion-index': '3' });
    expect(pod.metadata.labels).toMatchObject({ 'batch.kubernetes.io/job-completion-index': '3' });
    expect(pod.spec.hostname).toBe('pi-3');
    expect(pod.spec.subdomain).toBe('workers');
    expect(pod.spec.containers[0]!.env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    expect(pod.spec.initContainers![0]!.env).toEqual([{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }]);
    expect(job.spec.template.spec.containers[0]!.env).toBeUndefined();
  });

  it('annotates a rerun Job\'s pods with the original index they re-run (kjobs.io/rerun-indexes)', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 4 });
    job.metadata.annotations = { 'kjobs.io/rerun-indexes': '3,7-9' };
    const cases: [number, string | undefined][] = [[0, '3'], [1, '7'], [3, '9'], [4, undefined]];
    for (const [ix, want] of cases) {
      expect(buildPodForJob(job, { index: ix }).metadata.annotations?.['kjobs.io/original-completion-index']).toBe(want);
    }
    expect(buildPodForJob(makeJob({ completionMode: 'Indexed', completions: 4 }), { index: 0 }).metadata.annotations).not.toHaveProperty('kjobs.io/original-completion-index');
  });
  it('writes the index failure counts for backoffLimitPerIndex', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 2, backoffLimitPerIndex: 1 });
    expect(buildPodForJob(job, { index: 0, indexFailureCounts: { failed: 1, ignored: 0 } }).metadata.annotations).toMatchObject({ 'batch.kubernetes.io/job-index-failure-count': '1' });
    expect(buildPodForJob(job, { index: 0, indexFailureCounts: { failed: 0, ignored: 2 } }).metadata.annotations).toMatchObject({
      'batch.kubernetes.io/job-index-failure-count': '0',
      'batch.kubernetes.io/job-index-ignored-failure-count': '2',
    });
  });

  it('keeps generateName within 58 characters and keeps the index', () => {
    const long = 'a'.repeat(63);
    const g = podGenerateNameWithIndex(long, 12345);
    expect(g.length).toBe(58);
    expect(g.endsWith('-12345-')).toBe(true);
  });
});
