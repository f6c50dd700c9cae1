/**
 * The Jobs chapter with real kubectl against every service running as a process: what the book
 * says you will see. (The work-queue section is in chapter-queue.test.ts.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Pod, WatchEvent } from '@kjobs/api';
import { EXAMPLES, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
}, 120_000);
afterAll(async () => {
  await e?.stop();
});

const manifest = (f: string) => path.join(EXAMPLES, f);
const getJob = (name: string) => e.api.get<Job>('Job', 'default', name);
const cond = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await e.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function deleteJobAndWait(name: string): Promise<void> {
  await kubectlOk(['delete', 'job', name]);
  await waitFor(`pods of ${name} gone`, async () => (await e.api.list('Pod', { namespace: 'default', labelSelector: `job-name=${name}` })).items.length === 0, 60_000);
}

describe('the chapter with kubectl', () => {
  it('one-shot: the Job completes, describe shows it, logs show 10 keys', async () => {
    expect(await kubectlOk(['apply', '-f', manifest('job-oneshot.yaml')])).toContain('job.batch/oneshot created');
    const job = await waitFor('oneshot Complete', async () => {
      const j = await getJob('oneshot');
      return cond(j, 'Complete') ? j : undefined;
    }, 120_000);
    expect(job.status?.succeeded).toBe(1);
    const describe = await kubectlOk(['describe', 'jobs', 'oneshot']);
    expect(describe).toMatch(/Parallelism:\s+1/);
    expect(describe).toMatch(/Completions:\s+1/);
    expect(describe).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed|Pods Statuses:\s+0 Running \/ 1 Succeeded \/ 0 Failed/);
    expect(describe).toMatch(/SuccessfulCreate\s+.*Created pod: oneshot-/);
    const logs = await kubectlOk(['logs', 'job/oneshot']);
    expect(logs.match(/\(ID 0 \d+\/10\) Item done: SHA256:[A-Za-z0-9+/]{43}/g)?.length).toBe(10);
    expect(logs).toContain('(ID 0) Workload exiting');
    const table = await kubectlOk(['get', 'jobs']);
    expect(table).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/m);
    expect(table).toMatch(/^oneshot\s+Complete\s+1\/1\s+\S+\s+\S+/m);
    const pods = await kubectlOk(['get', 'pods', '-l', 'job-name=oneshot', '-a'].filter((a) => a !== '-a'));
    expect(pods).toMatch(/oneshot-\w{5}\s+0\/1\s+Completed\s+0\s+/);
    await deleteJobAndWait('oneshot');
  }, 180_000);

  it('failure, OnFailure: one pod restarts in place, CrashLoopBackOff, then BackoffLimitExceeded', async () => {
    // The chapter's manifest with a lower backoffLimit so the test stays short; restarts count the same way.
    const yaml = readFileSync(manifest('job-oneshot-failure1.yaml'), 'utf8').replace('spec:\n  template:', 'spec:\n  backoffLimit: 3\n  template:');
    expect(await kubectlOk(['apply', '-f', '-'], yaml)).toContain('job.batch/oneshot created');
    const seen = new Set<string>();
    let maxRestarts = 0;
    const podNames = new Set<string>();
    const job = await waitFor('oneshot Failed', async () => {
      for (const p of (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=oneshot' })).items) {
        podNames.add(p.metadata.name!);
        const cs = p.status?.containerStatuses?.[0];
        if (cs?.state.waiting?.reason) seen.add(cs.state.waiting.reason);
        maxRestarts = Math.max(maxRestarts, cs?.restartCount ?? 0);
      }
      const out = await e.kubectl(['get', 'pods', '-l', 'job-name=oneshot']);
      if (/CrashLoopBackOff/.test(out.stdout)) seen.add('CrashLoopBackOff');
      const j = await getJob('oneshot');
      return cond(j, 'Failed') ? j : undefined;
    }, 150_000, 200);
    expect(seen.has('CrashLoopBackOff')).toBe(true);
    expect(maxRestarts).toBeGreaterThanOrEqual(2);
    expect(podNames.size).toBe(1);
    expect(cond(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(await kubectlOk(['describe', 'job', 'oneshot'])).toContain('BackoffLimitExceeded');
    await deleteJobAndWait('oneshot');
  }, 200_000);

  it('failure, Never: a new pod each time, exactly backoffLimit+1 failed pods, then Failed', async () => {
    const yaml = readFileSync(manifest('job-oneshot-failure2.yaml'), 'utf8').replace('spec:\n  template:', 'spec:\n  backoffLimit: 2\n  template:');
    await kubectlOk(['apply', '-f', '-'], yaml);
    const job = await waitFor('oneshot Failed', async () => {
      const j = await getJob('oneshot');
      return cond(j, 'Failed') ? j : undefined;
    }, 150_000);
    const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=oneshot' })).items;
    expect(pods.length).toBe(3);
    expect(pods.every((p) => p.status?.phase === 'Failed')).toBe(true);
    expect(job.status?.failed).toBe(3);
    expect(cond(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    await deleteJobAndWait('oneshot');
  }, 200_000);

  it('parallel: never more than 5 pods active, exactly 10 succeeded', async () => {
    const active = new Map<string, boolean>();
    let maxActive = 0;
    const w = e.api.watch<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=parallel', resourceVersion: '0' }, (ev: WatchEvent<Pod>) => {
      const p = ev.object;
      const isActive = ev.type !== 'DELETED' && !['Succeeded', 'Failed'].includes(p.status?.phase ?? '') && !p.metadata.deletionTimestamp;
      active.set(p.metadata.name!, isActive);
      maxActive = Math.max(maxActive, [...active.values()].filter(Boolean).length);
    });
    await kubectlOk(['apply', '-f', manifest('job-parallel.yaml')]);
    const job = await waitFor('parallel Complete', async () => {
      const j = await getJob('parallel');
      return cond(j, 'Complete') ? j : undefined;
    }, 180_000);
    w.stop();
    expect(job.status?.succeeded).toBe(10);
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(5);
    const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=parallel' })).items;
    expect(pods.filter((p) => p.status?.phase === 'Succeeded').length).toBe(10);
    expect(await kubectlOk(['get', 'job', 'parallel'])).toMatch(/parallel\s+Complete\s+10\/10/);
  }, 200_000);

  it('cleanup: delete by label leaves nothing', async () => {
    const out = await kubectlOk(['delete', 'job', '-l', 'chapter=jobs']);
    expect(out).toContain('job.batch "parallel" deleted');
    await waitFor('no pods left', async () => (await e.api.list('Pod', { namespace: 'default' })).items.length === 0, 60_000);
    expect((await e.kubectl(['get', 'jobs'])).stderr).toContain('No resources found in default namespace.');
  }, 90_000);
});
