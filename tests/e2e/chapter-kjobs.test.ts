/**
 * The Jobs chapter with the `kjobs` CLI against every service running as a process: each command
 * of the book, as written, and what the book says you will see. Unlike kubectl 1.32, `kjobs run
 * --restart=OnFailure` creates a Job, as the book's kubectl did. (The work-queue section is in
 * chapter-queue.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Pod, WatchEvent } from '@kjobs/api';
import { ROOT } from '../../scripts/cluster.js';
import { EXAMPLES, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
const live: ChildProcess[] = [];
beforeAll(async () => {
  e = await startE2E({ without: ['memq'] });
}, 120_000);
afterAll(async () => {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await e?.stop();
});
// A failed test must not leave its Job behind for the next one (they share the name oneshot).
afterEach(async () => {
  await e.api.delete('Job', 'default', 'oneshot', { propagationPolicy: 'Background' }).catch(() => undefined);
  await waitFor('no oneshot pods', async () => (await podsOf('oneshot')).length === 0, 60_000);
}, 90_000);

const manifest = (f: string) => path.join(EXAMPLES, f);
const getJob = (name: string) => e.api.get<Job>('Job', 'default', name);
const podsOf = async (job: string) => (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: `job-name=${job}` })).items;
const cond = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
/** kuard's keygen lines as the book prints them: `(ID 0 3/10) Item done: SHA256:…`. */
const keyLines = (log: string) => [...log.matchAll(/\(ID 0 (\d+)\/10\) Item done: SHA256:[A-Za-z0-9+/]{43}/g)].map((m) => Number(m[1]));

async function kjobsOk(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await e.kjobs(args, { timeoutMs });
  if (r.code !== 0) throw new Error(`kjobs ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `kjobs …` left running (a watch), its output collected until it is killed. */
function kjobsLive(args: string[]): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [path.join(ROOT, 'packages/cli/bin/kjobs.mjs'), ...args], {
    cwd: ROOT, env: { ...process.env, KUBECONFIG: e.kubeconfig, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return { proc, out: () => out };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGINT');
  await exited;
}

async function deleteJob(name: string): Promise<void> {
  expect(await kjobsOk(['delete', 'jobs', name])).toContain(`job.batch "${name}" deleted`);
  await waitFor(`pods of ${name} gone`, async () => (await podsOf(name)).length === 0, 60_000);
}

describe('the chapter with kjobs', () => {
  // The book's command (`--command /kuard -- …`) and the same with everything after `--`.
  const forms = [
    ['--command', '/kuard', '--', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10'],
    ['--command', '--', '/kuard', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10'],
  ];
  for (const [i, form] of forms.entries()) {
    it(`run -i oneshot (${i === 0 ? "the book's form" : 'all after --'}): a Job, its 10 keys streamed, exit 0`, async () => {
      const r = await e.kjobs(['run', '-i', 'oneshot', '--image=gcr.io/kuar-demo/kuard-amd64:blue', '--restart=OnFailure', ...form], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('(ID 0) Workload starting');
      expect(keyLines(r.stdout)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(r.stdout).toContain('(ID 0) Workload exiting');
      // What it created is a Job (the book's `--restart=OnFailure`), complete, with one pod.
      const job = await getJob('oneshot');
      expect(cond(job, 'Complete')).toBeDefined();
      expect(job.metadata.labels).toMatchObject({ run: 'oneshot' });
      const c = job.spec?.template.spec.containers[0];
      expect(c).toMatchObject({ name: 'oneshot', image: 'gcr.io/kuar-demo/kuard-amd64:blue', command: ['/kuard', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10'] });
      expect(job.spec?.template.spec.restartPolicy).toBe('OnFailure');
      const pods = await podsOf('oneshot');
      expect(pods.map((p) => p.status?.phase)).toEqual(['Succeeded']);
      expect(await kjobsOk(['get', 'jobs'])).toMatch(/^oneshot\s+Complete\s+1\/1\s+/m);
      await deleteJob('oneshot');
    }, 180_000);
  }

  it('apply job-oneshot.yaml; describe shows the book\'s fields; logs show the keys', async () => {
    expect(await kjobsOk(['apply', '-f', manifest('job-oneshot.yaml')])).toBe('job.batch/oneshot created\n');
    const job = await waitFor('oneshot Complete', async () => {
      const j = await getJob('oneshot');
      return cond(j, 'Complete') ? j : undefined;
    }, 120_000);
    const uid = job.metadata.uid!;
    const d = await kjobsOk(['describe', 'jobs', 'oneshot']);
    expect(d).toMatch(/^Name:\s+oneshot$/m);
    expect(d).toMatch(/^Namespace:\s+default$/m);
    expect(d).toMatch(new RegExp(`^Selector:\\s+\\S*controller-uid=${uid}$`, 'm'));
    expect(d).toMatch(/^Labels:\s+\S+(\n\s+\S+)*\n\s+job-name=oneshot$/m);
    expect(d).toMatch(/^Parallelism:\s+1$/m);
    expect(d).toMatch(/^Completions:\s+1$/m);
    expect(d).toMatch(/^Start Time:\s+\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/m);
    expect(d).toMatch(/^Completed At:\s+\w{3}, /m);
    expect(d).toMatch(/^Duration:\s+\d+s$/m);
    expect(d).toMatch(/^Pods Statuses:\s+0 Running \/ 1 Succeeded \/ 0 Failed$/m);
    expect(d).toMatch(/^Pod Template:$/m);
    const created = d.match(/^\s+Normal\s+SuccessfulCreate\s+.*Created pod: (oneshot-\w{5})$/m);
    expect(created).not.toBeNull();
    const podName = created![1]!;
    const [pod] = await podsOf('oneshot');
    expect(pod?.metadata.name).toBe(podName);

    const logs = await kjobsOk(['logs', podName]);
    expect(logs).toContain('(ID 0) Workload starting');
    expect(keyLines(logs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(logs).toContain('(ID 0) Workload exiting');
    expect(await kjobsOk(['logs', 'job/oneshot'])).toBe(logs);
    await deleteJob('oneshot');
  }, 180_000);

  it('job-oneshot-failure1.yaml (OnFailure): one pod, RESTARTS rising, CrashLoopBackOff', async () => {
    expect(await kjobsOk(['apply', '-f', manifest('job-oneshot-failure1.yaml')])).toBe('job.batch/oneshot created\n');
    const crashLoopRestarts = new Set<number>();
    const names = new Set<string>();
    let header = '';
    await waitFor('CrashLoopBackOff with RESTARTS rising', async () => {
      const out = await kjobsOk(['get', 'pod', '-l', 'job-name=oneshot']);
      const lines = out.trimEnd().split('\n');
      header = lines[0] ?? header;
      for (const line of lines.slice(1)) {
        const m = line.match(/^(oneshot-\w{5})\s+(\d+\/1)\s+(\S+)\s+(\d+)/);
        if (!m) continue;
        names.add(m[1]!);
        if (m[3] === 'CrashLoopBackOff') crashLoopRestarts.add(Number(m[4]));
      }
      return crashLoopRestarts.size >= 2 && Math.max(...crashLoopRestarts) >= 2;
    }, 120_000, 300);
    expect(header).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    // The same pod restarts in place: the kubelet's business, not the Job's.
    expect(names.size).toBe(1);
    const [pod] = await podsOf('oneshot');
    expect(pod?.status?.containerStatuses?.[0]?.lastState.terminated?.exitCode).toBe(1);
    await deleteJob('oneshot');
  }, 180_000);

  it('job-oneshot-failure2.yaml (Never): a new pod for each failure, each in Error with 0 restarts', async () => {
    expect(await kjobsOk(['apply', '-f', manifest('job-oneshot-failure2.yaml')])).toBe('job.batch/oneshot created\n');
    const rows = await waitFor('two failed pods', async () => {
      // The book's command, `-a` included (kubectl 1.32 no longer has it; kjobs accepts it).
      const out = await kjobsOk(['get', 'pod', '-l', 'job-name=oneshot', '-a']);
      const rs = out.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/));
      return rs.filter((r) => r[2] === 'Error').length >= 2 ? rs : undefined;
    }, 120_000, 500);
    for (const r of rows) {
      expect(r[0]).toMatch(/^oneshot-\w{5}$/);
      expect(r[3]).toBe('0');
    }
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
    await deleteJob('oneshot');
  }, 180_000);

  it('parallel: `get pods -w` prints the pods as they change; at most 5 run at once; 10 complete', async () => {
    const active = new Map<string, boolean>();
    let maxActive = 0;
    const w = e.api.watch<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=parallel', resourceVersion: '0' }, (ev: WatchEvent<Pod>) => {
      const p = ev.object;
      const isActive = ev.type !== 'DELETED' && !['Succeeded', 'Failed'].includes(p.status?.phase ?? '') && !p.metadata.deletionTimestamp;
      active.set(p.metadata.name!, isActive);
      maxActive = Math.max(maxActive, [...active.values()].filter(Boolean).length);
    });
    // A pod of our own that `get pods -w` lists first: once its row is out, the watch resumes
    // from that list, so every change of the parallel pods is printed.
    await e.api.create<Pod>('Pod', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sentinel', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 },
    });
    const watch = kjobsLive(['get', 'pods', '-w']);
    try {
      await waitFor('get -w listed', () => /^sentinel\s/m.test(watch.out()), 60_000, 100);
      expect(await kjobsOk(['apply', '-f', manifest('job-parallel.yaml')])).toBe('job.batch/parallel created\n');
      const job = await waitFor('parallel Complete', async () => {
        const j = await getJob('parallel');
        return cond(j, 'Complete') ? j : undefined;
      }, 180_000);
      expect(job.status?.succeeded).toBe(10);
      const completedRows = () => new Set([...watch.out().matchAll(/^(parallel-\w{5})\s+0\/1\s+Completed\s+0\s+/gm)].map((m) => m[1]));
      await waitFor('10 Completed rows from get -w', () => completedRows().size === 10, 60_000);
      expect(watch.proc.exitCode).toBeNull();
      const out = watch.out();
      expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      expect(out).toMatch(/^parallel-\w{5}\s+1\/1\s+Running\s+0\s+/m);
      // Several rows per pod, one per change, the first when it was created.
      for (const pod of completedRows()) {
        const rows = out.split('\n').filter((l) => l.startsWith(`${pod} `));
        expect(rows.length).toBeGreaterThan(1);
        expect(rows[0]).toMatch(/^\S+\s+0\/1\s+(Pending|ContainerCreating)\s+0\s+/);
      }
    } finally {
      await stop(watch.proc);
      w.stop();
      await e.api.delete('Pod', 'default', 'sentinel', { gracePeriodSeconds: 0 });
    }
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(5);
    const table = await kjobsOk(['get', 'pods', '-l', 'job-name=parallel']);
    expect(table.match(/^parallel-\w{5}\s+0\/1\s+Completed\s+0\s+/gm)?.length).toBe(10);
    expect(await kjobsOk(['get', 'job', 'parallel'])).toMatch(/^parallel\s+Complete\s+10\/10\s+/m);
    // "Feel free to look at the logs of the completed pods": each generated its 10 keys.
    const anyPod = table.match(/^(parallel-\w{5})/m)![1]!;
    expect(keyLines(await kjobsOk(['logs', anyPod]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  }, 240_000);

  it('cleanup: delete rs,svc,job -l chapter=jobs leaves nothing', async () => {
    const out = await kjobsOk(['delete', 'rs,svc,job', '-l', 'chapter=jobs']);
    expect(out).toContain('job.batch "parallel" deleted');
    await waitFor('no pods left', async () => (await e.api.list('Pod', { namespace: 'default' })).items.length === 0, 60_000);
    const jobs = await e.kjobs(['get', 'jobs']);
    expect(jobs.code).toBe(0);
    expect(jobs.stderr).toContain('No resources found in default namespace.');
    expect((await e.kjobs(['get', 'pods'])).stderr).toContain('No resources found in default namespace.');
  }, 90_000);

  it('CronJob: create -f job-cronjob.yaml, describe shows the schedule, delete', async () => {
    expect(await kjobsOk(['create', '-f', manifest('job-cronjob.yaml')])).toBe('cronjob.batch/example-cron created\n');
    const d = await kjobsOk(['describe', 'cronjob', 'example-cron']);
    expect(d).toMatch(/^Name:\s+example-cron$/m);
    expect(d).toMatch(/^Schedule:\s+0 \*\/5 \* \* \*$/m);
    expect(await kjobsOk(['get', 'cronjobs'])).toMatch(/^example-cron\s+0 \*\/5 \* \* \*\s+/m);
    expect(await kjobsOk(['delete', 'cronjob', 'example-cron'])).toContain('cronjob.batch "example-cron" deleted');
  }, 60_000);
});
