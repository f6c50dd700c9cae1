/**
 * Whole-sync decisions, pods and lifecycle: each case stores a Job and its pods in a real
 * api-server (memory store), runs one sync of the real JobController on informers over it, and
 * checks what it wrote. Policies and counting: sync-policies.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '@kjobs/api';
import { STARTED as started, cond, reasons, syncOnceEach } from '../testing/sync-decision.js';
import { at, makeJob, makePod, makePods, ts } from './test-fixtures.js';

const run = syncOnceEach(at(100));

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
