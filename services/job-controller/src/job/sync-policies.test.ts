/**
 * Whole-sync decisions, policies, counting and guards: each case stores a Job and its pods in a
 * real api-server (memory store), runs one sync of the real JobController on informers over it,
 * and checks what it wrote.
 */
import { describe, expect, it } from 'vitest';
import type { Job, JobStatus } from '@kjobs/api';
import { STARTED as started, cond, syncOnceEach } from '../testing/sync-decision.js';
import { at, makeJob, makePod, makePods, ts } from './test-fixtures.js';

const run = syncOnceEach(at(100));

describe('podFailurePolicy', () => {
  const policyJob = (rules: NonNullable<Job['spec']['podFailurePolicy']>['rules'], extra = {}) =>
    makeJob({ completions: 2, parallelism: 2, backoffLimit: 6, podFailurePolicy: { rules }, ...extra }, { ...started, active: 1 });

  it('FailJob fails the Job with reason PodFailurePolicy and the rule message', async () => {
    const job = policyJob([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }]);
    const d = await run(job, [makePod(job, 'bad', { phase: 'Failed', exitCode: 42 }), makePod(job, 'r', { node: 'n' })]);
    expect(cond(d.statusWrites[0]!, 'FailureTarget')).toMatchObject({ reason: 'PodFailurePolicy', message: 'Container main for pod default/bad failed with exit code 42 matching FailJob rule at index 0' });
    expect(d.podsToDelete.map((x) => x.pod.metadata.name)).toEqual(['r']);
  });

  it('Ignore does not count the failure (even with backoffLimit 0) and replaces the pod', async () => {
    const job = policyJob([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }], { backoffLimit: 0 });
    const evicted = makePod(job, 'ev', { phase: 'Failed', exitCode: 137, conditions: [{ type: 'DisruptionTarget', status: 'True' }], finishedAt: 99 });
    const d = await run(job, [evicted, makePod(job, 'r', { node: 'n' })]);
    expect(d.statusWrites).toEqual([]); // nothing to count
    expect(d.finalStatus.failed).toBe(0);
    expect(d.finalizersToRemove.map((p) => p.metadata.name)).toEqual(['ev']);
    // As in Kubernetes, the ignored failure still delays the replacement by the recreation backoff.
    expect(d.result.requeueAfterMs).toBe(9_000);
    const released = { ...evicted, metadata: { ...evicted.metadata, finalizers: [] } };
    expect((await run(job, [released, makePod(job, 'r', { node: 'n' })], at(110))).podsToCreate).toHaveLength(1);
  });

  it('Count counts toward backoffLimit like an unmatched failure', async () => {
    const job = policyJob([{ action: 'Count', onExitCodes: { operator: 'In', values: [1] } }], { backoffLimit: 0 });
    const d = await run(job, [makePod(job, 'f', { phase: 'Failed', exitCode: 1 })]);
    expect(cond(d.finalStatus, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(d.finalStatus.failed).toBe(1);
  });

  it('FailIndex marks the index failed (backoffLimitPerIndex)', async () => {
    const job = makeJob(
      { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 5, podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } }] } },
      { ...started, active: 2 },
    );
    const pods = [makePod(job, 'i0', { index: 0, phase: 'Failed', exitCode: 3 }), makePod(job, 'i1', { index: 1, node: 'n' }), makePod(job, 'i2', { index: 2, node: 'n' })];
    const d = await run(job, pods);
    expect(d.finalStatus.failedIndexes).toBe('0');
    expect(d.podsToCreate).toHaveLength(0);
  });
});

describe('backoffLimitPerIndex and maxFailedIndexes', () => {
  const perIndex = (extra = {}, status: JobStatus = started) => makeJob({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, ...extra }, status);

  it('replaces a failed index once its own backoff elapsed, carrying the failure count', async () => {
    const job = perIndex({}, { ...started, active: 2 });
    const pods = [makePod(job, 'i0', { index: 0, phase: 'Failed', finishedAt: 80, indexFailureCount: 0 }), makePod(job, 'i1', { index: 1, node: 'n' }), makePod(job, 'i2', { index: 2, node: 'n' })];
    const early = await run(job, pods, at(85));
    expect(early.podsToCreate).toHaveLength(0);
    expect(early.result.requeueAfterMs).toBe(5_000);
    expect(early.finalizersToRemove).toHaveLength(0); // kept until the replacement exists
    const d = await run(job, pods, at(91));
    expect(d.podsToCreate.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'])).toEqual(['1']);
    expect(d.finalStatus.failedIndexes).toBe('');
  });

  it('an index fails when a pod with failure-count >= backoffLimitPerIndex fails; Job fails with FailedIndexes when all decided', async () => {
    const job = perIndex({}, { ...started, completedIndexes: '1,2', succeeded: 2 });
    const d = await run(job, [makePod(job, 'i0b', { index: 0, phase: 'Failed', indexFailureCount: 1 })]);
    expect(d.statusWrites[0]).toMatchObject({ failedIndexes: '0' });
    expect(cond(d.finalStatus, 'Failed')).toMatchObject({ reason: 'FailedIndexes', message: 'Job has failed indexes' });
  });

  it('more failed indexes than maxFailedIndexes fails the Job with MaxFailedIndexesExceeded', async () => {
    const job = perIndex({ maxFailedIndexes: 0, completions: 4 }, { ...started, active: 1 });
    const d = await run(job, [makePod(job, 'x', { index: 0, phase: 'Failed', indexFailureCount: 1 }), makePod(job, 'r', { index: 1, node: 'n' })]);
    expect(cond(d.statusWrites[0]!, 'FailureTarget')).toMatchObject({ reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' });
  });
});

describe('successPolicy', () => {
  it('declares success by rule and deletes the remaining pods without counting them as failed', async () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 4, parallelism: 4, successPolicy: { rules: [{ succeededIndexes: '0' }] } }, { ...started, active: 3 });
    const pods = [makePod(job, 'leader', { index: 0, phase: 'Succeeded' }), ...[1, 2, 3].map((i) => makePod(job, `w${i}`, { index: i, node: 'n' }))];
    const d = await run(job, pods);
    expect(cond(d.statusWrites[0]!, 'SuccessCriteriaMet')).toMatchObject({ reason: 'SuccessPolicy', message: 'Matched rules at index 0' });
    expect(d.podsToDelete.map((x) => x.removeFinalizerFirst)).toEqual([false, false, false]);
    expect(d.finalStatus).toMatchObject({ failed: 0, succeeded: 1, terminating: 3 });
    expect(cond(d.finalStatus, 'Complete')).toBeUndefined(); // waits for the terminating pods
  });
});

describe('podReplacementPolicy', () => {
  it('Failed: a terminating pod is not counted or replaced until it is Failed', async () => {
    const job = makeJob({ completions: 1, podReplacementPolicy: 'Failed' }, { ...started, active: 1 });
    const d = await run(job, [makePod(job, 't', { node: 'n', deletedAt: 50 })]);
    expect(d.finalStatus).toMatchObject({ active: 0, failed: 0, terminating: 1 });
    expect(d.podsToCreate).toHaveLength(0);
  });

  it('TerminatingOrFailed: a terminating pod counts as failed at once and is replaced after backoff', async () => {
    const job = makeJob({ completions: 1, podReplacementPolicy: 'TerminatingOrFailed' }, { ...started, active: 1 });
    const pod = makePod(job, 't', { node: 'n', deletedAt: 50 });
    pod.status!.containerStatuses = [];
    const d = await run(job, [pod], at(100));
    expect(d.finalStatus).toMatchObject({ active: 1, failed: 1, terminating: 1 });
    expect(d.podsToCreate).toHaveLength(1);
  });
});

describe('counting each finished pod exactly once (crash between writes)', () => {
  const job = (status = {}) => makeJob({ completions: 3, parallelism: 1 }, { ...started, ...status });

  it('a newly succeeded pod: uid into uncounted, then finalizer, then counter', async () => {
    const j = job({ active: 1 });
    const d = await run(j, [makePod(j, 'a', { phase: 'Succeeded' })]);
    expect(d.effects.map((e) => e.kind).filter((k) => k !== 'event' && k !== 'createPods')).toEqual(['updateStatus', 'saveBackoff', 'removeFinalizers', 'updateStatus']);
    expect(d.statusWrites[0]).toMatchObject({ succeeded: 0, uncountedTerminatedPods: { succeeded: ['uid-a'] } });
    expect(d.statusWrites[1]).toMatchObject({ succeeded: 1 });
    expect(d.statusWrites[1]!.uncountedTerminatedPods).toEqual({});
  });

  it.each([
    ['crash after status write: uid listed, finalizer still on', true, true, 1],
    ['crash after finalizer removal: uid listed, finalizer gone', true, false, 1],
    ['pod deleted after finalizer removal: uid listed, pod gone', true, null, 1],
    ['already counted: no uid, no finalizer', false, false, 1],
  ])('%s', async (_n, listed, finalizer, succeeded) => {
    const j = job({ succeeded: listed ? 0 : 1, uncountedTerminatedPods: { succeeded: listed ? ['uid-a'] : [], failed: [] } });
    const pods = finalizer === null ? [] : [makePod(j, 'a', { phase: 'Succeeded', finalizer })];
    const d = await run(j, pods);
    expect(d.finalStatus.succeeded).toBe(succeeded);
    expect(d.finalStatus.uncountedTerminatedPods?.succeeded ?? []).toEqual([]);
    expect(d.finalizersToRemove.map((p) => p.metadata.name)).toEqual(finalizer ? ['a'] : []);
    expect(d.statusWrites.every((s) => (s.uncountedTerminatedPods?.succeeded ?? []).filter((u) => u === 'uid-a').length <= 1)).toBe(true);
  });

  it('a pod whose finalizer removal is expected but not yet seen is not counted again', async () => {
    const j = job({ succeeded: 1 });
    const d = await run(j, [makePod(j, 'a', { phase: 'Succeeded' })], at(100), { expectedFinalizerRemovals: new Set(['uid-a']) });
    expect(d.finalStatus.succeeded).toBe(1);
    expect(d.finalizersToRemove).toHaveLength(0);
  });

  it('a failed pod recorded as failed is never later counted as succeeded', async () => {
    const j = job({ uncountedTerminatedPods: { succeeded: [], failed: ['uid-a'] } });
    const d = await run(j, [makePod(j, 'a', { phase: 'Succeeded' })]);
    expect(d.finalStatus).toMatchObject({ succeeded: 0, failed: 1 });
  });

  it('stops at 500 uncounted pods per sync and does not finish the Job yet', async () => {
    const j = makeJob({ completions: 600, parallelism: 600 }, { ...started });
    const d = await run(j, makePods(j, 600, 'p', { phase: 'Succeeded' }));
    expect(d.statusWrites[0]!.uncountedTerminatedPods?.succeeded).toHaveLength(500);
    expect(d.finalStatus.succeeded).toBe(500);
    expect(cond(d.finalStatus, 'Complete')).toBeUndefined();
  });
});

describe('guards', () => {
  it('skips a Job managed by another controller without any write', async () => {
    const d = await run(makeJob({ managedBy: 'example.com/other' }), []);
    expect(d.effects).toEqual([]);
    expect(d.result.skipped).toBe('managedByOther');
  });

  it('skips a finished Job and forgets its backoff', async () => {
    const d = await run(makeJob({}, { ...started, completionTime: ts(5), conditions: [{ type: 'Complete', status: 'True' }] }), []);
    expect(d.effects).toEqual([{ kind: 'dropBackoff' }]);
  });

  // An unknown completion mode cannot be stored (the API server rejects it): decide-guard.test.ts.

  it('a Job being deleted creates nothing and releases every pod finalizer', async () => {
    const j = makeJob({ completions: 3, parallelism: 2 }, { ...started, active: 1 }, { deletionTimestamp: ts(50) });
    const d = await run(j, [makePod(j, 'r', { node: 'n' }), makePod(j, 's', { phase: 'Succeeded' })]);
    expect(d.podsToCreate).toHaveLength(0);
    expect(d.finalizersToRemove.map((p) => p.metadata.name).sort()).toEqual(['r', 's']);
    expect(d.finalStatus.succeeded).toBe(1);
  });
});
