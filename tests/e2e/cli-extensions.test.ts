/**
 * The kjobs CLI extensions (issue 23, docs/kjobs-extensions.md) against every service running as
 * a process: `wait --for=finished`, `rerun`, `why`. Pods run host commands (process runtime).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CronJob, Job, Pod } from '@kjobs/api';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let dir: string;
beforeAll(async () => {
  // node-2 runs OCI containers (image pulls happen there); every other pod is pinned to node-1,
  // whose process runtime runs host commands.
  const oci: Record<string, string> = { KJOBS_RUNTIME: 'oci', KJOBS_IMAGE_PULL_BACKOFF_INITIAL_MS: '1000', KJOBS_IMAGE_PULL_BACKOFF_MAX_MS: '4000' };
  e = await startE2E({ without: ['memq'], nodeEnv: (i): Record<string, string> => (i === 1 ? oci : {}) });
  dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-ext-'));
}, 120_000);
afterAll(async () => {
  await e?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A Job running `script` with sh (image busybox, restartPolicy Never unless given). */
function jobOf(name: string, script: string, spec: Partial<Job['spec']> = {}, restartPolicy: 'Never' | 'OnFailure' = 'Never', labels: Record<string, string> = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default', labels },
    spec: {
      backoffLimit: 0, ...spec,
      template: { spec: { restartPolicy, nodeSelector: { 'kubernetes.io/hostname': 'node-1' }, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }] } },
    },
  };
}
const create = (j: Job) => e.api.create<Job>('Job', j);
const getJob = (name: string) => e.api.get<Job>('Job', 'default', name);
const podsOf = async (job: string) => (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: `job-name=${job}` })).items;
const why = async (arg: string) => {
  const r = await e.kjobs(['why', arg]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
};

describe('kjobs wait --for=finished', () => {
  it('exits 0 when every Job completed, 1 with the reason and message when one failed', async () => {
    await create(jobOf('w-ok', 'exit 0', {}, 'Never', { suite: 'wait' }));
    await create(jobOf('w-bad', 'exit 1', {}, 'Never', { suite: 'wait' }));
    const ok = await e.kjobs(['wait', '--for=finished', 'job/w-ok', '--timeout=60s'], { timeoutMs: 90_000 });
    expect(ok).toMatchObject({ code: 0, stdout: 'job.batch/w-ok finished: Complete\n', stderr: '' });
    const both = await e.kjobs(['wait', '--for=finished', 'job/w-ok', 'job/w-bad', '--timeout=60s'], { timeoutMs: 90_000 });
    expect(both.code).toBe(1);
    expect(both.stdout).toBe('job.batch/w-ok finished: Complete\njob.batch/w-bad finished: Failed (BackoffLimitExceeded: Job has reached the specified backoff limit)\n');
    const sel = await e.kjobs(['wait', '--for=finished', 'jobs', '-l', 'suite=wait'], { timeoutMs: 90_000 });
    expect(sel.code).toBe(1);
    expect(sel.stdout).toContain('job.batch/w-bad finished: Failed (BackoffLimitExceeded');
  }, 120_000);

  it('waits on the watch until the Job ends, and times out on one that does not', async () => {
    await create(jobOf('w-slow', 'sleep 3'));
    const t0 = Date.now();
    const r = await e.kjobs(['wait', '--for=finished', 'job/w-slow', '--timeout=60s'], { timeoutMs: 90_000 });
    expect(r).toMatchObject({ code: 0, stdout: 'job.batch/w-slow finished: Complete\n' });
    expect(Date.now() - t0).toBeGreaterThan(2_000);
    await create(jobOf('w-long', 'sleep 120'));
    const to = await e.kjobs(['wait', '--for=finished', 'job/w-long', '--timeout=2s'], { timeoutMs: 30_000 });
    expect(to.code).toBe(1);
    expect(to.stderr).toBe('error: timed out waiting for job.batch/w-long to finish\n');
    const missing = await e.kjobs(['wait', '--for=finished', 'job/w-none']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): jobs.batch "w-none" not found\n' });
  }, 120_000);
});

describe('kjobs rerun', () => {
  it('re-runs the two failed indexes of an Indexed Job as a linked Job, each with its own JOB_COMPLETION_INDEX', async () => {
    const marker = path.join(dir, 'fixed');
    // Indexes 1 and 3 fail until the marker exists; every pod prints the index it runs.
    const script = `echo "index=$JOB_COMPLETION_INDEX"; case "$JOB_COMPLETION_INDEX" in 1|3) test -f ${marker} || exit 1;; esac`;
    await create(jobOf('idx', script, { completions: 5, parallelism: 5, completionMode: 'Indexed', backoffLimitPerIndex: 0, backoffLimit: undefined }));
    const w = await e.kjobs(['wait', '--for=finished', 'job/idx', '--timeout=90s'], { timeoutMs: 120_000 });
    expect(w.code).toBe(1);
    expect((await getJob('idx')).status).toMatchObject({ failedIndexes: '1,3', completedIndexes: '0,2,4' });
    writeFileSync(marker, '');
    const r = await e.kjobs(['rerun', 'job/idx', '--failed', '--name', 'idx-again']);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'job.batch/idx-again created (re-runs indexes 1,3 of job.batch/idx)\n' });
    const again = await e.kjobs(['wait', '--for=finished', 'job/idx-again', '--timeout=90s'], { timeoutMs: 120_000 });
    expect(again).toMatchObject({ code: 0, stdout: 'job.batch/idx-again finished: Complete\n' });
    // The rerun is a plain Indexed Job to the API: completions 2, indexes 0-1, linked by annotation.
    const job = await getJob('idx-again');
    expect(job.metadata.annotations).toMatchObject({ 'kjobs.io/rerun-of': 'idx', 'kjobs.io/rerun-indexes': '1,3' });
    expect(job.spec).toMatchObject({ completions: 2, completionMode: 'Indexed' });
    expect(job.status).toMatchObject({ succeeded: 2, completedIndexes: '0,1' });
    const pods = await podsOf('idx-again');
    const seen = await Promise.all(pods.map(async (p) => ({
      index: p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'],
      original: p.metadata.annotations?.['kjobs.io/original-completion-index'],
      log: (await e.api.logs('default', p.metadata.name!)).trim(),
    })));
    expect(seen.sort((a, b) => Number(a.index) - Number(b.index))).toEqual([
      { index: '0', original: '1', log: 'index=1' },
      { index: '1', original: '3', log: 'index=3' },
    ]);
    const get = await e.kjobs(['get', 'jobs', 'idx', 'idx-again']);
    expect(get.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+RERUN-OF\n/);
    expect(get.stdout).toMatch(/\nidx-again\s+Complete\s+2\/2\s+.*\s+idx\[1,3\]\n/);
    expect(get.stdout).toMatch(/\nidx\s+Failed\s+.*<none>\n/);
    // Indexes are checked against the original, and a running Job cannot be re-run.
    expect(await e.kjobs(['rerun', 'job/idx', '--indexes', '4-5'])).toMatchObject({ code: 1, stderr: 'error: index 5 is out of range: job.batch/idx has completions 5 (indexes 0-4)\n' });
  }, 240_000);
});

describe('kjobs why', () => {
  it('a suspended Job', async () => {
    await create(jobOf('y-susp', 'exit 0', { suspend: true }));
    expect(await why('job/y-susp')).toContain('The Job is suspended (spec.suspend: true)');
  });

  it('pod-recreation backoff with the time left, and the backoff budget used', async () => {
    await create(jobOf('y-backoff', 'exit 1', { backoffLimit: 3 }));
    await waitFor('the first failure', async () => ((await getJob('y-backoff')).status?.failed ?? 0) >= 1, 60_000, 100);
    const out = await why('job/y-backoff');
    expect(out).toMatch(/Pod recreation is backing off after 1 consecutive failure: the next pod is created in about \d+s\./);
    expect(out).toContain('Backoff budget: 1 of backoffLimit 3 pod failures used.');
  }, 90_000);

  it('pods Pending with the scheduler\'s reasons', async () => {
    const j = jobOf('y-pending', 'exit 0');
    j.spec.template.spec.nodeSelector = { 'kjobs.io/no-such-node': 'x' };
    await create(j);
    const out = await waitFor('an unschedulable sentence', async () => {
      const o = await why('job/y-pending');
      return /Pending, not scheduled: 0\/2 nodes are available/.test(o) ? o : undefined;
    }, 60_000, 500);
    expect(out).toMatch(/Pod y-pending-\w+ is Pending, not scheduled: 0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector/);
  }, 90_000);

  it('an image that cannot be pulled', async () => {
    const j = jobOf('y-pull', 'exit 0');
    j.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': 'node-2' };
    j.spec.template.spec.containers[0]!.image = '127.0.0.1:1/kjobs/nope:v1';
    await create(j);
    const out = await waitFor('an image pull sentence', async () => {
      const o = await why('job/y-pull');
      return /cannot start container/.test(o) ? o : undefined;
    }, 60_000, 300);
    expect(out).toMatch(/- Pod y-pull-\w+ cannot start container c: pulling image "127.0.0.1:1\/kjobs\/nope:v1" fails \((ErrImagePull|ImagePullBackOff): .+\)\.\n/);
  }, 90_000);

  it('CrashLoopBackOff with the last exit code and the last lines of the log', async () => {
    await create(jobOf('y-crash', 'echo starting; echo "config missing"; exit 3', { backoffLimit: 6 }, 'OnFailure'));
    const out = await waitFor('a CrashLoopBackOff sentence', async () => {
      const o = await why('job/y-crash');
      return /CrashLoopBackOff/.test(o) ? o : undefined;
    }, 60_000, 200);
    expect(out).toMatch(/Container c of pod y-crash-\w+ is in CrashLoopBackOff after \d+ restarts?; its last run exited with code 3 \(Error\)\. The last lines of its log:\n {4}starting\n {4}config missing\n/);
  }, 90_000);

  it('the active deadline left', async () => {
    await create(jobOf('y-deadline', 'sleep 60', { activeDeadlineSeconds: 600 }));
    await waitFor('started', async () => (await getJob('y-deadline')).status?.startTime);
    expect(await why('job/y-deadline')).toMatch(/The active deadline \(activeDeadlineSeconds 600\) ends in (9m\d*s?|10m): the Job fails then if it has not completed\./);
  });

  it('the backoff budget per index', async () => {
    const script = 'case "$JOB_COMPLETION_INDEX" in 0) exit 1;; *) sleep 60;; esac';
    await create(jobOf('y-index', script, { completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 2, backoffLimit: undefined }));
    await waitFor('a failure of index 0', async () => ((await getJob('y-index')).status?.failed ?? 0) >= 1, 60_000, 100);
    expect(await why('job/y-index')).toMatch(/Backoff budget per index \(backoffLimitPerIndex 2\): index 0 [12] of 3 runs failed\./);
  }, 90_000);

  it('a finished Job: nothing holds it', async () => {
    await create(jobOf('y-done', 'exit 0'));
    await waitFor('complete', async () => (await getJob('y-done')).status?.succeeded === 1);
    expect(await why('job/y-done')).toBe('job.batch/y-done:\n- job.batch/y-done has finished: Complete (CompletionsReached: Reached expected number of succeeded pods). Nothing holds it.\n');
  });

  const cronOf = (name: string, spec: Partial<CronJob['spec']>): CronJob => ({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: jobOf('x', 'sleep 300').spec }, ...spec },
  });
  /** Write a CronJob's status as if it had run `agoMs` ago (the controller's status is level-triggered). */
  async function setStatus(name: string, status: CronJob['status']): Promise<void> {
    const cj = await e.api.get<CronJob>('CronJob', 'default', name);
    await e.api.update('CronJob', { ...cj, status }, { subresource: 'status' });
  }

  it('a CronJob: suspended, with the runs it skipped', async () => {
    await e.api.create('CronJob', cronOf('c-susp', { suspend: true }));
    await setStatus('c-susp', { lastScheduleTime: new Date(Date.now() - 3 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z') });
    const out = await why('cronjob/c-susp');
    expect(out).toMatch(/^cronjob.batch\/c-susp:\n- The CronJob is suspended \(spec.suspend: true\): no Job is created until it is resumed; runs due since \S+ were skipped\.\n/);
  });

  it('a CronJob: the last run skipped by concurrencyPolicy Forbid, and the next run', async () => {
    const cj = await e.api.create<CronJob>('CronJob', cronOf('c-forbid', { concurrencyPolicy: 'Forbid' }));
    // A Job of this CronJob that is still running, as if the previous run had not finished.
    const running = jobOf('c-forbid-1', 'sleep 300');
    running.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'c-forbid', uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    const j = await create(running);
    await setStatus('c-forbid', {
      active: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'c-forbid-1', namespace: 'default', uid: j.metadata.uid! }],
      lastScheduleTime: new Date(Date.now() - 2 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    const out = await waitFor('a Forbid sentence', async () => {
      const o = await why('cronjob/c-forbid');
      return /skipped/.test(o) ? o : undefined;
    }, 60_000, 500);
    expect(out).toMatch(/- The last run was skipped \(\d+s ago\) because concurrencyPolicy is Forbid and the previous Job \(c-forbid-1\) had not finished\.\n/);
    expect(out).toContain('- Job c-forbid-1 is running now (concurrencyPolicy Forbid).\n');
    expect(out).toMatch(/- The next run is at \S+, in (\d+s|1m)\.\n/);
  }, 90_000);

  it('a CronJob: a run skipped by its startingDeadlineSeconds', async () => {
    await e.api.create('CronJob', cronOf('c-late', { schedule: '0 0 1 * *', startingDeadlineSeconds: 10 }));
    await setStatus('c-late', { lastScheduleTime: new Date(Date.now() - 62 * 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
    expect(await why('cronjob/c-late')).toMatch(/- The run due at \S+T00:00:00.000Z was skipped: it could not start within startingDeadlineSeconds \(10s\) of its time\.\n/);
  });
});
