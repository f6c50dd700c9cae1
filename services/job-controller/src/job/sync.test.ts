/**
 * The chapter's Job patterns, end to end: the real JobController syncing on informers over a real
 * in-process api-server (memory store), a scripted kubelet, one fake clock.
 */
import { describe, expect, it } from 'vitest';
import type { JobTestCluster } from '../testing/job-test-cluster.js';
import { clusterEach, counts, reasons, round, untilFinished } from '../testing/rounds.js';
import { makeJob } from './test-fixtures.js';

const cluster = clusterEach();

describe('syncJob against an in-memory API (the chapter’s patterns)', () => {
  it('one-shot: one pod, succeeded once, Complete with completionTime and the Completed event', async () => {
    const c = await cluster(makeJob({ completions: 1, parallelism: 1 }));
    await untilFinished(c, async (c) => void (await c.finishRunning(0)));
    expect(c.created).toHaveLength(1);
    expect(counts(c)).toMatchObject({ succeeded: 1, failed: 0, active: 0, ready: 0, terminating: 0 });
    expect(c.job.status?.uncountedTerminatedPods).toEqual({});
    expect(c.job.status?.completionTime).toBeDefined();
    expect(c.job.status?.conditions?.map((x) => `${x.type}=${x.status}/${x.reason}`)).toEqual(['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
    expect(reasons(c)).toEqual(['SuccessfulCreate', 'Completed']);
    expect(c.events[0]!.message).toBe(`Created pod: ${c.created[0]}`);
    expect([...c.pods.values()].every((p) => (p.metadata.finalizers ?? []).length === 0)).toBe(true);
  });

  it('parallel: completions 10, parallelism 5 — never more than 5 active, exactly 10 pods', async () => {
    const c = await cluster(makeJob({ completions: 10, parallelism: 5 }));
    await untilFinished(c, async (c) => {
      const running = c.activePods().filter((p) => p.status?.phase === 'Running');
      if (running[0]) await c.finish(running[0].metadata.name!, 0); // one finishes per round
      c.advance(1);
    });
    expect(c.maxActive).toBeLessThanOrEqual(5);
    expect(c.maxActive).toBe(5);
    expect(c.created).toHaveLength(10);
    expect(counts(c)).toMatchObject({ succeeded: 10, failed: 0 });
  });

  it('work queue: completions unset — no new pods after the first success, complete when all exit', async () => {
    const c = await cluster(makeJob({ completions: undefined, parallelism: 5 }));
    await round(c);
    expect(c.activePods()).toHaveLength(5);
    await c.finish(c.created[0]!, 0);
    await round(c);
    expect(c.created).toHaveLength(5);
    expect(c.finished()).toBe(false);
    await c.finishRunning(0);
    await round(c);
    expect(c.condition('Complete')?.status).toBe('True');
    expect(counts(c)).toMatchObject({ succeeded: 5, failed: 0 });
  });

  it('backoffLimit 2 with restartPolicy Never: exactly 3 failed pods, then Failed/BackoffLimitExceeded', async () => {
    const c = await cluster(makeJob({ completions: 1, backoffLimit: 2 }));
    await untilFinished(c, async (c) => {
      await c.finishRunning(1);
      c.advance(700); // beyond the longest recreation backoff
    });
    expect(c.created).toHaveLength(3);
    expect(counts(c)).toMatchObject({ failed: 3, succeeded: 0, active: 0 });
    expect(c.condition('Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(reasons(c).filter((r) => r === 'BackoffLimitExceeded')).toHaveLength(1);
  });

  it('the recreation backoff delays replacements 10 s, 20 s, 40 s', async () => {
    const c = await cluster(makeJob({ completions: 1, backoffLimit: 10 }));
    const waits: number[] = [];
    await round(c);
    for (let i = 0; i < 3; i++) {
      await c.finishRunning(1);
      const r = await c.sync();
      waits.push(r.result?.requeueAfterMs ?? -1);
      c.advance((r.result?.requeueAfterMs ?? 0) / 1000);
      await round(c);
    }
    expect(waits).toEqual([10_000, 20_000, 40_000]);
    expect(c.created).toHaveLength(4);
  });

  it('activeDeadlineSeconds: running pods are deleted and counted failed, then Failed/DeadlineExceeded', async () => {
    const c = await cluster(makeJob({ completions: 4, parallelism: 2, activeDeadlineSeconds: 30 }));
    await round(c);
    const first = await c.sync();
    expect(first.result?.requeueAfterMs).toBe(30_000);
    c.advance(30);
    await round(c);
    expect(c.condition('FailureTarget')?.reason).toBe('DeadlineExceeded');
    expect(c.finished()).toBe(false); // pods still terminating
    await c.killTerminating();
    await round(c);
    expect(c.condition('Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(counts(c)).toMatchObject({ failed: 2, active: 0, terminating: 0 });
    expect(c.pods.size).toBe(0);
  });

  it('suspend deletes pods without counting them; resume creates pods again with a fresh startTime', async () => {
    const c = await cluster(makeJob({ completions: 2, parallelism: 2 }));
    await round(c);
    await c.updateJob((j) => (j.spec.suspend = true));
    c.advance(10);
    await round(c);
    await c.killTerminating();
    await round(c);
    expect(c.pods.size).toBe(0);
    expect(counts(c)).toMatchObject({ active: 0, failed: 0, terminating: 0 });
    expect(c.condition('Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended' });
    await c.updateJob((j) => (j.spec.suspend = false));
    c.advance(100);
    await round(c);
    expect(c.activePods()).toHaveLength(2);
    expect(c.job.status?.startTime).toBe('2024-03-01T12:01:50Z');
    expect(c.condition('Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
    expect(reasons(c)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulDelete', 'SuccessfulDelete', 'Suspended', 'SuccessfulCreate', 'SuccessfulCreate', 'Resumed']);
  });

  it('Indexed: pods 0..n-1 each succeed once and completedIndexes ends as 0-4', async () => {
    const c = await cluster(makeJob({ completionMode: 'Indexed', completions: 5, parallelism: 2 }));
    await untilFinished(c, async (c) => void (await c.finishRunning(0)));
    const idx = c.created.map((n) => n.split('-')[1]).sort();
    expect(idx).toEqual(['0', '1', '2', '3', '4']);
    expect(counts(c)).toMatchObject({ completedIndexes: '0-4', succeeded: 5 });
  });

  it('podReplacementPolicy Failed: terminating=1 first, then failed=1 and a replacement', async () => {
    const c = await cluster(makeJob({ completions: 1, podReplacementPolicy: 'Failed' }));
    await round(c);
    await c.deletePod(c.created[0]!);
    await round(c);
    expect(counts(c)).toMatchObject({ active: 0, failed: 0, terminating: 1 });
    await c.killTerminating();
    c.advance(20);
    await round(c);
    await round(c);
    expect(counts(c)).toMatchObject({ active: 1, failed: 1, terminating: 0 });
  });
});

describe('syncJob: Indexed policies end to end', () => {
  const indexOf = (c: JobTestCluster, name: string) => c.pods.get(name)?.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];

  it('backoffLimitPerIndex 1: failing indexes get 2 pods each (failure counts 0, 1), the Job fails with FailedIndexes', async () => {
    const c = await cluster(makeJob({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimitPerIndex: 1 }));
    const failureCounts = new Map<string, string[]>();
    await untilFinished(c, async (c) => {
      for (const p of c.activePods().filter((p) => p.status?.phase === 'Running')) {
        const ix = indexOf(c, p.metadata.name!)!;
        failureCounts.set(ix, [...(failureCounts.get(ix) ?? []), p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'] ?? '?']);
        await c.finish(p.metadata.name!, ix === '0' || ix === '2' ? 1 : 0);
      }
      c.advance(700);
    });
    expect(c.job.status).toMatchObject({ failedIndexes: '0,2', completedIndexes: '1,3', succeeded: 2, failed: 4 });
    expect(failureCounts.get('0')).toEqual(['0', '1']);
    expect(failureCounts.get('2')).toEqual(['0', '1']);
    expect(c.condition('Failed')).toMatchObject({ reason: 'FailedIndexes', message: 'Job has failed indexes' });
  });

  it('successPolicy: index 0 succeeding completes the Job once the other pods have terminated', async () => {
    const c = await cluster(makeJob({ completionMode: 'Indexed', completions: 3, parallelism: 3, successPolicy: { rules: [{ succeededIndexes: '0' }] } }));
    await round(c);
    const leader = c.created.find((n) => indexOf(c, n) === '0')!;
    await c.finish(leader, 0);
    await round(c);
    expect(c.condition('SuccessCriteriaMet')).toMatchObject({ reason: 'SuccessPolicy', message: 'Matched rules at index 0' });
    expect(c.finished()).toBe(false);
    await c.killTerminating();
    await round(c);
    expect(c.condition('Complete')).toMatchObject({ status: 'True', reason: 'SuccessPolicy' });
    expect(counts(c)).toMatchObject({ succeeded: 1, failed: 0, completedIndexes: '0' });
  });

  it('podFailurePolicy FailJob: one matching exit code fails the Job at once', async () => {
    const c = await cluster(makeJob({ completions: 3, parallelism: 3, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } }));
    await round(c);
    await c.finish(c.created[1]!, 42);
    await round(c);
    await c.killTerminating();
    await round(c);
    expect(c.condition('Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: `Container main for pod default/${c.created[1]} failed with exit code 42 matching FailJob rule at index 0` });
    expect(counts(c)).toMatchObject({ failed: 3, active: 0, terminating: 0 });
    expect(c.created).toHaveLength(3);
  });
});
