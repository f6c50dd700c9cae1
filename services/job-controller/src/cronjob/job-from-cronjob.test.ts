import { describe, expect, it } from 'vitest';
import type { CronJob } from '@kjobs/api';
import { jobFromCronJob } from './job-from-cronjob.js';

describe('jobFromCronJob (kubectl create job X --from=cronjob/Y)', () => {
  it('builds the Job kubectl builds', () => {
    const cj: CronJob = {
      metadata: { name: 'hello', namespace: 'ns1', uid: 'cj-uid' },
      spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { a: 'b' }, annotations: { c: 'd' } }, spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'x' }] } } } } },
    };
    expect(jobFromCronJob(cj, 'manual-1')).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'manual-1',
        namespace: 'ns1',
        labels: { a: 'b' },
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', c: 'd' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true }],
      },
      spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'x' }] } } },
    });
  });
});
