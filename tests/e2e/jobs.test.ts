/**
 * Job semantics end to end through the REST API, every service running as a process: work queue,
 * deadlines, suspend, Indexed, pod failure policy, per-index backoff, success policy, TTL,
 * deletion, and counting that survives the controller being killed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError, type Job, type Pod } from '@kjobs/api';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E({ without: ['memq'] });
}, 120_000);
afterAll(async () => {
  await e?.stop();
});

function job(name: string, script: string, spec: Partial<Job['spec']> = {}, restartPolicy: 'Never' | 'OnFailure' = 'Never'): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }], restartPolicy, terminationGracePeriodSeconds: 2 } }, ...spec },
  };
}
const get = (name: string) => e.api.get<Job>('Job', 'default', name);
const cond = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
const podsOf = async (name: string) => (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
async function finished(name: string, timeoutMs = 90_000): Promise<Job> {
  return waitFor(`${name} finished`, async () => {
    const j = await get(name);
    return cond(j, 'Complete') || cond(j, 'Failed') ? j : undefined;
  }, timeoutMs);
}
async function remove(name: string): Promise<void> {
  await e.api.delete('Job', 'default', name, { propagationPolicy: 'Background' });
  await waitFor(`${name} pods gone`, async () => (await podsOf(name)).length === 0, 60_000);
}

describe('Job semantics', () => {
  it('work queue (completions unset): completes when pods succeed and none is left running', async () => {
    await e.api.create('Job', job('wq', 'sleep 0.5', { parallelism: 3 }));
    const j = await finished('wq');
    expect(cond(j, 'Complete')?.reason).toBe('CompletionsReached');
    expect(j.status?.succeeded).toBe(3);
    expect(j.spec.completions ?? null).toBeNull();
    await remove('wq');
  });

  it('activeDeadlineSeconds fails the Job with DeadlineExceeded and ends its pods', async () => {
    await e.api.create('Job', job('deadline', 'sleep 60', { activeDeadlineSeconds: 2, parallelism: 2, completions: 2 }));
    const j = await finished('deadline');
    expect(cond(j, 'Failed')?.reason).toBe('DeadlineExceeded');
    expect(cond(j, 'Failed')?.message).toBe('Job was active longer than specified deadline');
    await waitFor('pods not running', async () => (await podsOf('deadline')).every((p) => p.status?.phase !== 'Running' || p.metadata.deletionTimestamp));
    await remove('deadline');
  });

  it('suspend creates no pods; resume runs the Job to completion', async () => {
    await e.api.create('Job', job('susp', 'true', { suspend: true, completions: 2 }));
    const s = await waitFor('Suspended', async () => {
      const j = await get('susp');
      return cond(j, 'Suspended') ? j : undefined;
    });
    expect(cond(s, 'Suspended')?.reason).toBe('JobSuspended');
    expect(await podsOf('susp')).toHaveLength(0);
    await e.api.patch('Job', 'default', 'susp', 'merge', { spec: { suspend: false } });
    const j = await finished('susp');
    expect(cond(j, 'Complete')).toBeTruthy();
    expect(j.status?.conditions?.find((c) => c.type === 'Suspended')?.status).toBe('False');
    expect(j.status?.succeeded).toBe(2);
    await remove('susp');
  });

  it('Indexed: every index 0..n-1 runs with JOB_COMPLETION_INDEX and completedIndexes lists them', async () => {
    await e.api.create('Job', job('idx', 'echo "index=$JOB_COMPLETION_INDEX host=$HOSTNAME"', { completions: 4, parallelism: 2, completionMode: 'Indexed' }));
    const j = await finished('idx');
    expect(cond(j, 'Complete')).toBeTruthy();
    expect(j.status?.completedIndexes).toBe('0-3');
    const pods = await podsOf('idx');
    const logs = await Promise.all(pods.map((p) => e.api.logs('default', p.metadata.name!)));
    const byIndex = new Map(pods.map((p, i) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], logs[i]!.trim()]));
    for (const i of ['0', '1', '2', '3']) expect(byIndex.get(i)).toBe(`index=${i} host=idx-${i}`);
    await remove('idx');
  });

  it('podFailurePolicy FailJob fails the Job at the first matching exit code', async () => {
    await e.api.create('Job', job('pfp-fail', 'exit 42', {
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] },
    }));
    const j = await finished('pfp-fail');
    const c = cond(j, 'Failed');
    expect(c?.reason).toBe('PodFailurePolicy');
    expect(c?.message).toMatch(/^Container main for pod default\/pfp-fail-\w+ failed with exit code 42 matching FailJob rule at index 0$/);
    expect(j.status?.failed).toBe(1);
    await remove('pfp-fail');
  });

  it('podFailurePolicy Ignore replaces the pod without counting a failure', async () => {
    await e.api.create('Job', job('pfp-ignore', 'exit 43', {
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [43] } }] },
    }));
    await waitFor('a replacement pod', async () => (await podsOf('pfp-ignore')).filter((p) => p.status?.phase === 'Failed').length >= 2, 60_000);
    const j = await get('pfp-ignore');
    expect(j.status?.failed ?? 0).toBe(0);
    expect(cond(j, 'Failed')).toBeUndefined();
    await remove('pfp-ignore');
  });

  it('backoffLimitPerIndex with maxFailedIndexes: one index fails, the others complete, the Job fails with FailedIndexes', async () => {
    await e.api.create('Job', job('perindex', '[ "$JOB_COMPLETION_INDEX" = 1 ] && exit 1; exit 0', {
      completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1, maxFailedIndexes: 1,
    }));
    const j = await finished('perindex', 120_000);
    expect(j.status?.failedIndexes).toBe('1');
    expect(j.status?.completedIndexes).toBe('0,2');
    expect(cond(j, 'Failed')?.reason).toBe('FailedIndexes');
    const failed = (await podsOf('perindex')).filter((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '1');
    expect(failed).toHaveLength(2);
    await remove('perindex');
  }, 150_000);

  it('successPolicy completes the Job once its rule is met and ends the other pods', async () => {
    await e.api.create('Job', job('sp', '[ "$JOB_COMPLETION_INDEX" = 0 ] && exit 0; sleep 60', {
      completions: 3, parallelism: 3, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0' }] },
    }));
    const j = await finished('sp');
    expect(cond(j, 'Complete')?.reason).toBe('SuccessPolicy');
    expect(cond(j, 'SuccessCriteriaMet')?.message).toBe('Matched rules at index 0');
    await waitFor('other pods ended', async () => (await podsOf('sp')).every((p) => p.status?.phase !== 'Running' || p.metadata.deletionTimestamp));
    await remove('sp');
  });

  it('ttlSecondsAfterFinished deletes the finished Job and its pods', async () => {
    await e.api.create('Job', job('ttl', 'true', { ttlSecondsAfterFinished: 1 }));
    await finished('ttl');
    await waitFor('job deleted', async () => {
      try {
        await get('ttl');
        return false;
      } catch (err) {
        return isApiError(err, 404);
      }
    }, 60_000);
    await waitFor('pods deleted', async () => (await podsOf('ttl')).length === 0, 60_000);
  });

  it('a pod of a finished Job that still holds the tracking finalizer loses it, so a foreground delete of the Job completes', async () => {
    await e.api.create('Job', job('fin-left', 'exit 0'));
    const done = await finished('fin-left');
    expect(cond(done, 'Complete')).toBeDefined();
    // A pod the Job did not count (as one being deleted while the Job ended would be): owned by
    // the Job, labelled like its pods, finalizer still on.
    const [counted] = await podsOf('fin-left');
    await e.api.create<Pod>('Pod', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'fin-left-extra', namespace: 'default', labels: counted!.metadata.labels,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'fin-left', uid: done.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        finalizers: ['batch.kubernetes.io/job-tracking'],
      },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 0'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 2 },
    });
    await waitFor('the extra pod’s tracking finalizer removed', async () => {
      const p = await e.api.get<Pod>('Pod', 'default', 'fin-left-extra');
      return !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking');
    });
    // The Job stays counted as it was.
    expect((await get('fin-left')).status?.succeeded).toBe(1);
    await e.api.delete('Job', 'default', 'fin-left', { propagationPolicy: 'Foreground' });
    await waitFor('the Job and its pods gone', async () => {
      const gone = await get('fin-left').then(() => false, (err: unknown) => isApiError(err, 404));
      return gone && (await podsOf('fin-left')).length === 0;
    }, 60_000);
  });

  it('deleting a running Job removes its pods', async () => {
    await e.api.create('Job', job('running', 'sleep 60', { parallelism: 2, completions: 2 }));
    await waitFor('2 running pods', async () => (await podsOf('running')).filter((p) => p.status?.phase === 'Running').length === 2);
    await e.api.delete('Job', 'default', 'running', { propagationPolicy: 'Background' });
    await waitFor('pods gone', async () => (await podsOf('running')).length === 0, 60_000);
  });
});

describe('crash safety', () => {
  it('SIGKILL of the job-controller three times: exactly 200 succeeded, no index twice, no extra pods', async () => {
    await e.api.create('Job', job('crash', 'true', { completions: 200, parallelism: 20, completionMode: 'Indexed', backoffLimit: 1000 }));
    for (const at of [30, 90, 150]) {
      await waitFor(`${at} succeeded`, async () => ((await get('crash')).status?.succeeded ?? 0) >= at, 240_000, 100);
      await e.cluster.restart('job-controller', 'SIGKILL');
    }
    const j = await finished('crash', 300_000);
    expect(cond(j, 'Complete')).toBeTruthy();
    expect(j.status?.succeeded).toBe(200);
    const pods = await podsOf('crash');
    const succeededByIndex = new Map<string, number>();
    for (const p of pods) {
      if (p.status?.phase !== 'Succeeded') continue;
      const i = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '?';
      succeededByIndex.set(i, (succeededByIndex.get(i) ?? 0) + 1);
    }
    expect(succeededByIndex.size).toBe(200);
    expect([...succeededByIndex.values()].every((n) => n === 1)).toBe(true);
    const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
    expect(pods.length).toBeLessThanOrEqual(200 + failed);
    expect(j.status?.failed ?? 0).toBe(failed);
    await remove('crash');
  }, 400_000);
});
