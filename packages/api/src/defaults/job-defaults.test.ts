import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply-defaults.js';
import { generateJobSelector } from './job-defaults.js';
import type { Job, KObject } from '../types.js';

type Json = Record<string, any>;  

const template = (labels?: Record<string, string>): Json => ({
  ...(labels ? { metadata: { labels } } : {}),
  spec: { containers: [{ name: 'c', image: 'busybox:1' }], restartPolicy: 'Never' },
});
const job = (spec: Json, labels?: Record<string, string>): Json =>
  applyDefaults('Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', ...(labels ? { labels } : {}) }, spec: { template: template(), ...spec } } as KObject) as Json;

describe('Job defaults', () => {
  it.each<[string, Json, Json]>([
    ['both unset: one pod', {}, { completions: 1, parallelism: 1 }],
    ['completions only', { completions: 10 }, { completions: 10, parallelism: 1 }],
    ['parallelism only: work-queue mode', { parallelism: 5 }, { parallelism: 5 }],
    ['both set', { completions: 10, parallelism: 5 }, { completions: 10, parallelism: 5 }],
  ])('%s', (_, spec, want) => {
    const j = job(spec);
    expect({ completions: j.spec.completions, parallelism: j.spec.parallelism }).toEqual({ completions: undefined, ...want });
  });

  it('fills the scalar defaults', () => {
    expect(job({}).spec).toMatchObject({
      backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed',
    });
  });

  it('backoffLimit is MaxInt32 with backoffLimitPerIndex', () => {
    expect(job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 }).spec.backoffLimit).toBe(2147483647);
  });

  it('a podFailurePolicy makes podReplacementPolicy Failed and condition patterns True', () => {
    const j = job({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }, { type: 'X', status: 'False' }] }] } });
    expect(j.spec.podReplacementPolicy).toBe('Failed');
    expect(j.spec.podFailurePolicy.rules[0].onPodConditions).toEqual([{ type: 'DisruptionTarget', status: 'True' }, { type: 'X', status: 'False' }]);
  });

  it('copies template labels to a job without labels, and only then', () => {
    const withTemplateLabels = (labels?: Record<string, string>) =>
      applyDefaults('Job', { metadata: { name: 'pi', ...(labels ? { labels } : {}) }, spec: { template: template({ app: 'x' }) } } as KObject) as Json;
    expect(withTemplateLabels().metadata.labels).toEqual({ app: 'x' });
    expect(withTemplateLabels({ team: 'a' }).metadata.labels).toEqual({ team: 'a' });
  });

  it('defaults the pod template', () => {
    expect(job({}).spec.template.spec).toMatchObject({ dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler', securityContext: {} });
    expect(job({}).spec.template.spec.enableServiceLinks).toBeUndefined();
  });
});

describe('generateJobSelector', () => {
  const prepared = (spec: Json = {}, labels?: Record<string, string>, templateLabels?: Record<string, string>): Job => {
    const j = applyDefaults('Job', { metadata: { name: 'pi', namespace: 'default', ...(labels ? { labels } : {}) }, spec: { template: template(templateLabels), ...spec } } as KObject) as Json;
    j.metadata.uid = 'uid-9';
    return j as Job;
  };

  it('adds the four template labels and the controller-uid selector', () => {
    const j = generateJobSelector(prepared());
    expect(j.spec.template.metadata?.labels).toEqual({
      'batch.kubernetes.io/controller-uid': 'uid-9', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'uid-9', 'job-name': 'pi',
    });
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-9' } });
  });

  it('job labels follow the template labels when the job had none (as kubectl shows)', () => {
    expect(generateJobSelector(prepared()).metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': 'uid-9', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'uid-9', 'job-name': 'pi',
    });
    expect(generateJobSelector(prepared({}, undefined, { app: 'x' })).metadata.labels).toMatchObject({ app: 'x', 'job-name': 'pi' });
    expect(generateJobSelector(prepared({}, { chapter: 'jobs' }, { app: 'x' })).metadata.labels).toEqual({ chapter: 'jobs' });
  });

  it('keeps user labels and selector entries, leaving conflicts to validation', () => {
    const j = generateJobSelector(prepared({ selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } } }, undefined, { 'job-name': 'mine' }));
    expect(j.spec.template.metadata?.labels?.['job-name']).toBe('mine');
    expect(j.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe('other');
  });

  it('does nothing with manualSelector, and never changes its input', () => {
    const manual = prepared({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }, undefined, { app: 'x' });
    expect(generateJobSelector(manual)).toEqual(manual);
    const input = prepared();
    const snapshot = structuredClone(input);
    generateJobSelector(input);
    expect(input).toEqual(snapshot);
  });
});
