/**
 * Whole-sync decisions: each case stores a Job and its pods in a real api-server (memory store),
 * runs one sync of the real JobController on informers over it, and checks what it wrote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobStatus, Pod } from '@kjobs/api';
import type { JobTestCluster } from '../testing/job-test-cluster.js';
import { syncOnce, type SyncDecision, type SyncMemory } from '../testing/sync-decision.js';
import { at, makeJob, makePod, makePods, ts } from './test-fixtures.js';

const clusters: JobTestCluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) await c.stop();
});

const started: JobStatus = { startTime: ts(0), active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0 };
const run = (job: Job, pods: Pod[], now = at(100), memory: SyncMemory = {}) => syncOnce(job, pods, now, memory, (c) => clusters.push(c));
const reasons = (d: SyncDecision) => d.events.map((e) => e.reason);
const cond = (st: { conditions?: { type: string; status: string; reason?: string; message?: string }[] }, type: string) => st.conditions?.find((c) => c.type === type);

describe('how many pods to create or delete', () => {
  it.each([
    // completions, parallelism, counted succeeded, active, → create, delete
    ['one-shot, first sync', 1, 1, 0, 0, 1, 0],
    ['parallel 10/5, start', 10, 5, 0, 0, 5, 0],
    ['parallel 10/5, 5 running', 10, 5, 0, 5, 0, 0],
    ['parallel 10/5, 7 done, 2 running', 10, 5, 7, 2, 1, 0],
    ['parallel 10/5, 8 done, 5 running → remaining completions cap', 10, 5, 8, 5, 0, 3],
    ['parallelism 0 runs nothing', 3, 0, 0, 0, 0, 0],
  ])('%s', async (_name, completions, parallelism, succeeded, active, create, del) => {
    const job = makeJob({ completions, parallelism }, { ...started, succeeded });
    const d = await run(job, makePods(job, active, 'r', { node: 'n' }));
    expect(d.podsToCreate).toHaveLength(create);
    expect(d.podsToDelete).toHaveLength(del);
    expect(d.podsToDelete.every((x) => x.removeFinalizerFirst)).toBe(true);
  });

  it('creates in slow-start batches of 1, 2, 4', async () => {
    const job = makeJob({ completions: 10, parallelism: 7 });
    const d = await run(job, []);
    expect(d.effects.filter((e) => e.kind === 'createPods').map((e) => (e.kind === 'createPods' ? e.pods.length : 0))).toEqual([1, 2, 4]);
    expect(reasons(d).filter((r) => r === 'SuccessfulCreate')).toHaveLength(7);
  });

  it('first sync sets startTime and active', async () => {
    const d = await run(makeJob({ completions: 2, parallelism: 2 }), [], at(3));
    expect(d.finalStatus).toMatchObject({ startTime: ts(3), active: 2, ready: 0, terminating: 0 });
    expect(d.events[0]).toEqual({ type: 'Normal', reason: 'SuccessfulCreate', message: expect.stringMatching(/^Created pod: pi-[a-z0-9]{5}$/) });
  });

  it('does not create or delete while expectations are pending', async () => {
    const d = await run(makeJob({ completions: 3, parallelism: 3 }), [], at(1), { expectationsSatisfied: false });
    expect(d.podsToCreate).toHaveLength(0);
  });

  it('waits out the pod-recreation backoff and asks to be requeued', async () => {
    const job = makeJob({ completions: 1, backoffLimit: 6 }, { ...started });
    const failed = makePod(job, 'f', { phase: 'Failed', finishedAt: 95 });
    const d = await run(job, [failed], at(100));
    expect(d.podsToCreate).toHaveLength(0);
    expect(d.result.requeueAfterMs).toBe(5_000);
    expect(d.backoff).toEqual({ failuresAfterLastSuccess: 1, lastFailureTimeMs: at(95).getTime() });
    const later = await run(job, [failed], at(106));
    expect(later.podsToCreate).toHaveLength(1);
  });

  it('prefers deleting pending, not-ready and newer pods when scaling down', async () => {
    const job = makeJob({ completions: 10, parallelism: 1 }, { ...started });
    const pods = [
      makePod(job, 'old-ready', { node: 'n', ready: true, createdAt: 1 }),
      makePod(job, 'pending', { phase: 'Pending' }),
      makePod(job, 'new-running', { node: 'n', createdAt: 9 }),
    ];
    expect((await run(job, pods)).podsToDelete.map((x) => x.pod.metadata.name)).toEqual(['pending', 'new-running']);
  });
});

describe('work-queue mode (completions unset)', () => {
  const wq = (status: JobStatus = started) => makeJob({ completions: undefined, parallelism: 5 }, status);

  it('starts parallelism pods', async () => {
    expect((await run(wq({ ...started, startTime: undefined }), [])).podsToCreate).toHaveLength(5);
  });

  it('stops creating after the first success but keeps the running pods', async () => {
    const job = wq();
    const pods = [makePod(job, 'done', { phase: 'Succeeded' }), ...makePods(job, 2, 'r', { node: 'n' }), makePod(job, 'f', { phase: 'Failed', finishedAt: 0 })];
    const d = await run(job, pods);
    expect(d.podsToCreate).toHaveLength(0);
    expect(d.podsToDelete).toHaveLength(0);
    expect(cond(d.finalStatus, 'Complete')).toBeUndefined();
    expect(d.finalStatus).toMatchObject({ succeeded: 1, failed: 1, active: 2 });
  });

  it('completes once a pod succeeded and none is active', async () => {
    const job = wq({ ...started, succeeded: 1 });
    const d = await run(job, [makePod(job, 'last', { phase: 'Succeeded' })]);
    expect(cond(d.statusWrites[0]!, 'SuccessCriteriaMet')).toMatchObject({ status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(d.finalStatus).toMatchObject({ succeeded: 2, completionTime: ts(100) });
    expect(cond(d.finalStatus, 'Complete')).toMatchObject({ status: 'True', reason: 'CompletionsReached' });
    expect(reasons(d)).toEqual(['Completed']);
  });
});

describe('backoffLimit', () => {
  it.each([
    ['Never: failed == backoffLimit keeps going', 2, 1, false],
    ['Never: failed == backoffLimit+1 fails the Job', 2, 2, true],
    ['Never: backoffLimit 0, first failure fails', 0, 0, true],
  ])('%s', async (_n, backoffLimit, alreadyFailed, fails) => {
    const job = makeJob({ completions: 1, backoffLimit }, { ...started, failed: alreadyFailed });
    const d = await run(job, [makePod(job, 'f', { phase: 'Failed', finishedAt: 0 })], at(1000));
    expect(d.finalStatus.failed).toBe(alreadyFailed + 1);
    expect(cond(d.finalStatus, 'Failed')?.reason ?? null).toBe(fails ? 'BackoffLimitExceeded' : null);
    if (fails) {
      expect(cond(d.statusWrites[0]!, 'FailureTarget')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
      expect(d.events).toContainEqual({ type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
      expect(d.podsToCreate).toHaveLength(0);
    } else {
      expect(d.podsToCreate).toHaveLength(1);
    }
  });

  it.each([
    ['OnFailure: restarts below the limit', 3, 2, false],
    ['OnFailure: restarts reach the limit', 3, 3, true],
    ['OnFailure: backoffLimit 0 fails on any restart', 0, 1, true],
  ])('%s', async (_n, backoffLimit, restartCount, fails) => {
    const job = makeJob({ completions: 1, backoffLimit }, { ...started, active: 1 });
    job.spec.template.spec.restartPolicy = 'OnFailure';
    const d = await run(job, [makePod(job, 'r', { node: 'n', restartCount })]);
    expect(d.podsToDelete.map((x) => x.removeFinalizerFirst)).toEqual(fails ? [false] : []);
    if (fails) {
      // the running pod is deleted and counted as failed; Failed waits until it has terminated
      expect(cond(d.finalStatus, 'FailureTarget')?.reason).toBe('BackoffLimitExceeded');
      expect(cond(d.finalStatus, 'Failed')).toBeUndefined();
      expect(d.finalStatus).toMatchObject({ failed: 1, active: 0, terminating: 1 });
    }
  });
});

describe('activeDeadlineSeconds', () => {
  it('fails the Job with DeadlineExceeded once now - startTime >= ADS, deleting active pods', async () => {
    const job = makeJob({ completions: 5, parallelism: 2, activeDeadlineSeconds: 100 }, { ...started, active: 2 });
    const d = await run(job, makePods(job, 2, 'r', { node: 'n' }), at(100));
    expect(cond(d.finalStatus, 'FailureTarget')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(d.podsToDelete).toHaveLength(2);
    expect(d.finalStatus).toMatchObject({ failed: 2, terminating: 2, active: 0 });
  });

  it('asks to be synced again when the deadline comes', async () => {
    const job = makeJob({ completions: 1, activeDeadlineSeconds: 100 }, { ...started, active: 1 });
    expect((await run(job, [makePod(job, 'r', { node: 'n' })], at(30))).result.requeueAfterMs).toBe(70_000);
  });

  it('never fires while suspended', async () => {
    const job = makeJob({ completions: 1, activeDeadlineSeconds: 10, suspend: true }, { ...started });
    expect(cond((await run(job, [], at(1000))).finalStatus, 'FailureTarget')).toBeUndefined();
  });
});

describe('suspend and resume', () => {
  it('a Job created suspended gets no pods, no startTime, and the Suspended condition', async () => {
    const d = await run(makeJob({ completions: 2, suspend: true }), [], at(5));
    expect(d.podsToCreate).toHaveLength(0);
    expect(d.finalStatus.startTime).toBeUndefined();
    expect(cond(d.finalStatus, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended', message: 'Job suspended' });
    expect(reasons(d)).toEqual(['Suspended']);
  });

  it('suspending deletes active pods with their finalizer removed first (not counted as failed)', async () => {
    const job = makeJob({ completions: 3, parallelism: 2, suspend: true }, { ...started, active: 2 });
    const d = await run(job, makePods(job, 2, 'r', { node: 'n' }));
    expect(d.podsToDelete.map((x) => x.removeFinalizerFirst)).toEqual([true, true]);
    expect(d.finalStatus).toMatchObject({ active: 0, failed: 0, terminating: 2 });
    expect(reasons(d)).toEqual(['SuccessfulDelete', 'SuccessfulDelete', 'Suspended']);
  });

  it('resuming sets Suspended=False/JobResumed, resets startTime and creates pods', async () => {
    const job = makeJob({ completions: 2, parallelism: 2, activeDeadlineSeconds: 50 }, {
      ...started,
      conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastTransitionTime: ts(1), lastProbeTime: ts(1) }],
    });
    const d = await run(job, [], at(500));
    expect(d.podsToCreate).toHaveLength(2);
    expect(cond(d.finalStatus, 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed', message: 'Job resumed' });
    expect(d.finalStatus.startTime).toBe(ts(500));
    expect(cond(d.finalStatus, 'FailureTarget')).toBeUndefined();
    expect(reasons(d)).toContain('Resumed');
  });
});

describe('Indexed completion mode', () => {
  const indexed = (extra = {}, status: JobStatus = started) => makeJob({ completionMode: 'Indexed', completions: 5, parallelism: 3, ...extra }, status);

  it('creates the lowest pending indexes', async () => {
    const job = indexed();
    const pods = [makePod(job, 'p0', { phase: 'Succeeded', index: 0 }), makePod(job, 'p2', { index: 2, node: 'n' })];
    const d = await run(job, pods);
    expect(d.podsToCreate.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'])).toEqual(['1', '3']);
    expect(d.finalStatus).toMatchObject({ completedIndexes: '0', succeeded: 1 });
    expect(d.finalizersToRemove.map((p) => p.metadata.name)).toEqual(['p0']);
    expect(d.finalStatus.uncountedTerminatedPods).toEqual({});
  });

  it('completes when every index 0..n-1 succeeded', async () => {
    const job = indexed({}, { ...started, completedIndexes: '0,1,3', succeeded: 3 });
    const pods = [makePod(job, 'a', { phase: 'Succeeded', index: 2 }), makePod(job, 'b', { phase: 'Succeeded', index: 4 }), makePod(job, 'dup', { phase: 'Succeeded', index: 4 })];
    const d = await run(job, pods);
    expect(d.finalStatus).toMatchObject({ completedIndexes: '0-4', succeeded: 5 });
    expect(cond(d.finalStatus, 'Complete')?.status).toBe('True');
  });

  it('deletes duplicated and out-of-range indexes, keeping the most advanced copy', async () => {
    const job = indexed({}, { ...started, active: 4 });
    const pods = [
      makePod(job, 'a-ready', { index: 1, node: 'n', ready: true }),
      makePod(job, 'a-pending', { index: 1, phase: 'Pending' }),
      makePod(job, 'b', { index: 2, node: 'n' }),
      makePod(job, 'out', { index: 9, node: 'n' }),
    ];
    expect((await run(job, pods)).podsToDelete.map((x) => x.pod.metadata.name).sort()).toEqual(['a-pending', 'out']);
  });
});

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
