import { describe, expect, it } from 'vitest';
import type { Job } from '@kjobs/api';
import { formatIndexList, parseIndexList } from './indexes.js';
import { formatOutcome, jobOutcome } from './job-outcome.js';
import { withRerunColumn } from './rerun-column.js';
import { describeMemqQueue } from './memq-queue.js';
import { buildRerunJob, rerunJobName } from './rerun-job.js';

describe('index lists', () => {
  const cases: [string, number[], string][] = [
    ['3,7-9', [3, 7, 8, 9], '3,7-9'],
    ['9,3, 8,7', [3, 7, 8, 9], '3,7-9'],
    ['1,2', [1, 2], '1,2'],
    ['0-2,2-3', [0, 1, 2, 3], '0-3'],
    ['', [], ''],
  ];
  for (const [text, indexes, formatted] of cases) {
    it(`"${text}" → ${JSON.stringify(indexes)} → "${formatted}"`, () => {
      expect(parseIndexList(text)).toEqual(indexes);
      expect(formatIndexList(indexes)).toBe(formatted);
    });
  }
  it.each(['a', '3-1', '-2', '1-2-3'])('rejects %s', (text) => expect(() => parseIndexList(text)).toThrow(/invalid index/));
});

const job = (conditions: { type: string; status: 'True' | 'False'; reason?: string; message?: string }[]): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { template: { spec: { containers: [] } } }, status: { conditions },
});

describe('jobOutcome', () => {
  const cases: [string, Job, string | undefined][] = [
    ['running', job([]), undefined],
    ['FailureTarget is not yet finished', job([{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }]), undefined],
    ['SuccessCriteriaMet is not yet finished', job([{ type: 'SuccessCriteriaMet', status: 'True' }]), undefined],
    ['Complete', job([{ type: 'Complete', status: 'True' }]), 'job.batch/x finished: Complete'],
    ['Failed with reason and message', job([{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]),
      'job.batch/x finished: Failed (BackoffLimitExceeded: Job has reached the specified backoff limit)'],
    ['Failed False is not finished', job([{ type: 'Failed', status: 'False' }]), undefined],
  ];
  for (const [what, j, want] of cases) {
    it(what, () => {
      const o = jobOutcome(j);
      expect(o ? formatOutcome('x', o) : undefined).toBe(want);
    });
  }
});

describe('buildRerunJob', () => {
  const original: Job = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'idx', namespace: 'default', uid: 'u1', resourceVersion: '9', labels: { app: 'a', 'controller-uid': 'u1', 'job-name': 'idx' } },
    spec: {
      completions: 10, parallelism: 5, completionMode: 'Indexed', backoffLimitPerIndex: 1, maxFailedIndexes: 6, suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
      template: {
        metadata: { labels: { app: 'a', 'batch.kubernetes.io/controller-uid': 'u1', 'controller-uid': 'u1', 'batch.kubernetes.io/job-name': 'idx', 'job-name': 'idx' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', env: [{ name: 'A', value: '1' }, { name: 'JOB_COMPLETION_INDEX', value: 'x' }] }] },
      },
    },
    status: { failedIndexes: '3,7-9', conditions: [{ type: 'Failed', status: 'True' }] },
  };
  it('runs the chosen indexes as a new Indexed Job whose pods read the original index', () => {
    const j = buildRerunJob(original, [3, 7, 8, 9], 'idx-rerun-1', true);
    expect(j.metadata).toEqual({ name: 'idx-rerun-1', namespace: 'default', labels: { app: 'a' }, annotations: { 'kjobs.io/rerun-of': 'idx', 'kjobs.io/rerun-indexes': '3,7-9' } });
    expect(j.spec).toMatchObject({ completions: 4, parallelism: 4, completionMode: 'Indexed', backoffLimitPerIndex: 1, maxFailedIndexes: 4 });
    expect(j.spec.selector).toBeUndefined();
    expect(j.spec.template.metadata?.labels).toEqual({ app: 'a' });
    expect(j.spec.template.spec.containers[0]!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['kjobs.io/original-completion-index']" } } },
    ]);
    expect(original.spec.selector).toBeDefined();
  });
  it('refuses a Job that is not Indexed, not finished, or an index out of range', () => {
    expect(() => buildRerunJob({ ...original, spec: { ...original.spec, completionMode: 'NonIndexed' } }, [1], 'r', true)).toThrow(/not an Indexed Job/);
    expect(() => buildRerunJob(original, [1], 'r', false)).toThrow(/has not finished/);
    expect(() => buildRerunJob(original, [3, 10], 'r', true)).toThrow(/index 10 is out of range/);
    expect(() => buildRerunJob(original, [], 'r', true)).toThrow(/no indexes/);
  });
  it('names the rerun within 63 characters', () => {
    expect(rerunJobName('idx', 'abcde')).toBe('idx-rerun-abcde');
    expect(rerunJobName('a'.repeat(63), 'abcde')).toHaveLength(63);
  });
});

describe('withRerunColumn', () => {
  const cols = [{ name: 'Name' }];
  const row = (name: string, annotations?: Record<string, string>) => ({ cells: [name], object: { metadata: { name, ...(annotations ? { annotations } : {}) } as { name: string } } });
  it('leaves a listing without reruns as the server sent it', () => {
    const rows = [row('a')];
    expect(withRerunColumn(cols, rows)).toEqual({ columns: cols, rows });
  });
  it('adds RERUN-OF with the original and its indexes when a listed Job is a rerun', () => {
    const got = withRerunColumn(cols, [row('a'), row('a-rerun-x', { 'kjobs.io/rerun-of': 'a', 'kjobs.io/rerun-indexes': '3,7-9' })]);
    expect(got.columns.map((c) => c.name)).toEqual(['Name', 'Rerun-Of']);
    expect(got.rows.map((r) => r.cells)).toEqual([['a', '<none>'], ['a-rerun-x', 'a[3,7-9]']]);
  });
});

describe('describeMemqQueue', () => {
  const queueJob = (annotations: Record<string, string>, completions?: number): Job => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'consumers', annotations },
    spec: { template: { spec: { containers: [] } }, ...(completions === undefined ? {} : { completions }) },
  });
  const server = { 'kjobs.io/memq-queue': 'keygen', 'kjobs.io/memq-server': 'http://queue:8080/memq/server' };
  it.each<[string, Job, string | undefined]>([
    ['no queue', queueJob({}), undefined],
    ['one lease in flight', queueJob({ ...server, 'kjobs.io/memq-queue-status': 'depth=0 inFlight=1' }), 'keygen at http://queue:8080/memq/server: 0 waiting, 1 lease in flight'],
    ['items waiting', queueJob({ ...server, 'kjobs.io/memq-queue-status': 'depth=40 inFlight=5' }), 'keygen at http://queue:8080/memq/server: 40 waiting, 5 leases in flight'],
    ['the memq service', queueJob({ 'kjobs.io/memq-queue': 'q', 'kjobs.io/memq-queue-status': 'depth=0 inFlight=0' }), 'q at the kjobs memq service: 0 waiting, 0 leases in flight'],
    ['unknown, with the reason', queueJob({ ...server, 'kjobs.io/memq-queue-status': 'unknown: no running pod backs service "queue"' }), 'keygen at http://queue:8080/memq/server: unknown: no running pod backs service "queue"'],
    ['not looked at yet', queueJob(server), 'keygen at http://queue:8080/memq/server: not looked at yet'],
    ['fixed completions', queueJob(server, 3), 'keygen at http://queue:8080/memq/server: not watched (completions is set; only work-queue Jobs wait for their queue)'],
  ])('%s', (_name, j, want) => expect(describeMemqQueue(j)).toBe(want));
});
