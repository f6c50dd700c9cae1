import { describe, expect, it } from 'vitest';
import type { Job, JobSpec, JobStatus } from '@kjobs/api';
import { decideTtl } from './decide-ttl.js';

const T0 = new Date('2024-03-01T12:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const ts = (seconds: number) => at(seconds).toISOString().replace('.000Z', 'Z');
const makeJob = (spec: Partial<JobSpec> = {}, status?: JobStatus): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default', uid: 'job-uid', resourceVersion: '1', creationTimestamp: ts(0) },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } }, ...spec },
  ...(status ? { status } : {}),
});

const finished = (type: 'Complete' | 'Failed', when: number, ttl?: number, extra: { deleting?: boolean } = {}) => {
  const job = makeJob(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }, {
    startTime: ts(0),
    conditions: [{ type, status: 'True', lastTransitionTime: ts(when) }],
    ...(type === 'Complete' ? { completionTime: ts(when) } : {}),
  });
  if (extra.deleting) job.metadata.deletionTimestamp = ts(when);
  return job;
};

describe('decideTtl', () => {
  it.each([
    ['no TTL', finished('Complete', 10), 100, { kind: 'none' }],
    ['not finished', makeJob({ ttlSecondsAfterFinished: 5 }), 100, { kind: 'none' }],
    ['already being deleted', finished('Complete', 10, 5, { deleting: true }), 100, { kind: 'none' }],
    ['Complete, not expired', finished('Complete', 10, 100), 30, { kind: 'wait', afterMs: 80_000, expireAt: at(110) }],
    ['Failed, not expired (from the Failed condition time)', finished('Failed', 20, 10), 25, { kind: 'wait', afterMs: 5_000, expireAt: at(30) }],
    ['expired exactly at finish + ttl', finished('Complete', 10, 10), 20, { kind: 'delete', expireAt: at(20), propagationPolicy: 'Foreground', preconditions: { uid: 'job-uid' } }],
    ['ttl 0 deletes immediately', finished('Failed', 10, 0), 10, { kind: 'delete', expireAt: at(10), propagationPolicy: 'Foreground', preconditions: { uid: 'job-uid' } }],
    ['finish time in the future (clock skew) waits', finished('Complete', 50, 10), 40, { kind: 'wait', afterMs: 20_000, expireAt: at(60), clockSkew: true }],
  ])('%s', (_n, job, now, want) => {
    expect(decideTtl(job, at(now))).toEqual(want);
  });

  it('reports a finished Job without a finish time', () => {
    const job = makeJob({ ttlSecondsAfterFinished: 1 }, { conditions: [{ type: 'Failed', status: 'True' }] });
    expect(decideTtl(job, at(0)).kind).toBe('error');
  });
});
