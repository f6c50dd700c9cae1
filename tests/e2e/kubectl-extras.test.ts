/**
 * Everyday kubectl beyond the chapter, with the real kubectl 1.32 against every service running
 * as a process: `run -i` attached over WebSocket, `logs -f` / `--previous`, `wait`, `get -w`,
 * output formats, `describe pod|node`, a second `apply` as a strategic merge patch, and a
 * foreground cascading delete with `--wait`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CronJob, type Job, type KObject, type Node, type Pod } from '@kjobs/api';
import { ROOT } from '../../scripts/cluster.js';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let scratch: string;
const live: ChildProcess[] = [];
beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kjobs-kubectl-extras-'));
  e = await startE2E({ without: ['memq'] });
  await waitFor('two Ready nodes', async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, 60_000);
}, 120_000);
afterAll(async () => {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await e?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const getPod = (name: string) => e.api.get<Pod>('Pod', 'default', name);
const podsOf = async (job: string) => (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: `job-name=${job}` })).items;
const isComplete = (j: Job) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');

async function kubectlOk(args: string[], input?: string, timeoutMs = 60_000): Promise<string> {
  const r = await e.kubectl(args, { input, timeoutMs });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** kubectl left running (a watch, a follow), its output collected as it comes. */
function kubectlLive(args: string[]): { proc: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const cache = path.join(e.home, 'kube-cache');
  const proc = spawn('kubectl', [`--cache-dir=${cache}`, ...args], {
    cwd: ROOT, env: { ...process.env, KUBECONFIG: e.kubeconfig, KUBECACHEDIR: cache, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  return { proc, out: () => out, err: () => err, exited };
}

function jobYaml(name: string, script: string, extra = ''): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", ${JSON.stringify(script)}]
      restartPolicy: Never
${extra}`;
}

describe('kubectl run -i (a Pod, attached over WebSocket)', () => {
  it('prints hello and exits 0; what it made is a Pod labelled run=NAME, not a Job', async () => {
    const r = await e.kubectl(['run', '-i', 'hello', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', 'echo hello; sleep 1'], { timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/falling back to streaming logs|error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hello\n');
    const pod = await getPod('hello');
    expect(pod.metadata.labels).toEqual({ run: 'hello' });
    expect(pod.status?.phase).toBe('Succeeded');
    expect(await e.isGone('Job', 'hello')).toBe(true);
    expect(await kubectlOk(['delete', 'pod', 'hello'])).toBe('pod "hello" deleted\n');
  }, 150_000);

  it('the book\'s `kubectl run -i oneshot … --restart=OnFailure --command /kuard -- …`: a Pod (kubectl 1.32), its keys printed; `kubectl delete pods oneshot`', async () => {
    const r = await e.kubectl(['run', '-i', 'oneshot', '--image=gcr.io/kuar-demo/kuard-amd64:blue', '--restart=OnFailure', '--command', '/kuard', '--', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect([...r.stdout.matchAll(/\(ID 0 (\d+)\/10\) Item done: SHA256:[A-Za-z0-9+/]{43}/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.stdout).toContain('(ID 0) Workload exiting');
    const pod = await getPod('oneshot');
    expect(pod.spec.restartPolicy).toBe('OnFailure');
    expect(pod.spec.containers[0]!.command).toEqual(['/kuard', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10']);
    expect(pod.status?.phase).toBe('Succeeded');
    // No Job: the book's `get pod -l job-name=oneshot` finds nothing, as on real Kubernetes.
    expect(await e.isGone('Job', 'oneshot')).toBe(true);
    expect((await e.kubectl(['get', 'pod', '-l', 'job-name=oneshot'])).stderr).toContain('No resources found in default namespace.');
    expect(await kubectlOk(['delete', 'pods', 'oneshot'])).toBe('pod "oneshot" deleted\n');
  }, 150_000);

  it('returns the container\'s exit code when it fails (--restart=Never)', async () => {
    const r = await e.kubectl(['run', '-i', 'exit3', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', 'echo bye; sleep 1; exit 3'], { timeoutMs: 120_000 });
    expect(r.stdout).toContain('bye\n');
    expect(r.stderr).toContain('pod default/exit3 terminated (Error)');
    expect(r.code).toBe(3);
    await kubectlOk(['delete', 'pod', 'exit3']);
  }, 150_000);
});

describe('kubectl logs', () => {
  it('logs -f streams a running container and ends with it', async () => {
    const gate = path.join(scratch, 'follow-gate');
    await kubectlOk(['run', 'ticker', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', `echo tick 1; while [ ! -f ${gate} ]; do sleep 0.1; done; echo tick 2`]);
    await waitFor('ticker running', async () => (await getPod('ticker')).status?.containerStatuses?.[0]?.state.running, 60_000, 100);
    const f = kubectlLive(['logs', '-f', 'ticker']);
    // The first line arrives while the container still runs (it waits for the gate).
    await waitFor('first line followed', () => f.out() === 'tick 1\n', 30_000, 50);
    expect(f.proc.exitCode).toBeNull();
    writeFileSync(gate, '');
    expect(await f.exited).toBe(0);
    expect(f.out()).toBe('tick 1\ntick 2\n');
    await kubectlOk(['delete', 'pod', 'ticker']);
  }, 120_000);

  it('logs --previous shows the restarted container\'s earlier run', async () => {
    const marker = path.join(scratch, 'previous-marker');
    await kubectlOk(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: twice
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: OnFailure
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "if [ -f ${marker} ]; then echo second run; sleep 600; else touch ${marker}; echo first run; exit 1; fi"]
`);
    await waitFor('restarted and running', async () => {
      const cs = (await getPod('twice')).status?.containerStatuses?.[0];
      return (cs?.restartCount ?? 0) >= 1 && cs?.state.running !== undefined;
    }, 60_000, 200);
    expect(await kubectlOk(['logs', '--previous', 'twice'])).toBe('first run\n');
    expect(await kubectlOk(['logs', 'twice', '-p', '-c', 'main'])).toBe('first run\n');
    expect(await kubectlOk(['logs', 'twice'])).toBe('second run\n');
    await kubectlOk(['delete', 'pod', 'twice']);
  }, 120_000);
});

describe('kubectl wait, get -w, output formats, describe', () => {
  it('get pods -w prints each change of a Job\'s pod; wait --for=condition=complete returns once it is done', async () => {
    // -v=6 logs each request once answered: the watch is open before the Job exists, so every
    // change of its pod is printed (the first row is the pod's creation).
    const w = kubectlLive(['get', 'pods', '-w', '-l', 'app=waiter', '-v=6']);
    await waitFor('the watch open', () => /GET https:\S+\/pods\?\S*watch=true\S* 200 OK/.test(w.err()), 30_000, 50);
    await kubectlOk(['apply', '-f', '-'], jobYaml('waiter', 'sleep 2; echo done'));
    const r = await e.kubectl(['wait', '--for=condition=complete', 'job/waiter', '--timeout=120s'], { timeoutMs: 150_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('job.batch/waiter condition met\n');
    expect(r.code).toBe(0);
    expect(isComplete(await e.api.get<Job>('Job', 'default', 'waiter'))).toBe(true);
    await waitFor('the Completed row', () => /^waiter-\w{5}\s+0\/1\s+Completed\s+0\s+/m.test(w.out()), 30_000);
    expect(w.proc.exitCode).toBeNull();
    w.proc.kill('SIGINT');
    await w.exited;
    const lines = w.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const statuses = lines.slice(1).map((l) => l.split(/\s+/)[2]);
    expect(lines.slice(1).every((l) => /^waiter-\w{5}\s/.test(l))).toBe(true);
    expect(statuses[0]).toMatch(/^(Pending|ContainerCreating)$/);
    expect(statuses.indexOf('Running')).toBeGreaterThan(0);
    expect(statuses.indexOf('Completed')).toBeGreaterThan(statuses.indexOf('Running'));
  }, 180_000);

  it('get -o json|yaml|wide, -A and --show-labels', async () => {
    const asJson = JSON.parse(await kubectlOk(['get', 'job', 'waiter', '-o', 'json'])) as Job;
    expect(asJson).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'waiter', namespace: 'default' }, status: { succeeded: 1 } });
    const asYaml = parseYaml(await kubectlOk(['get', 'job', 'waiter', '-o', 'yaml'])) as Job;
    expect(asYaml).toEqual(asJson);
    const list = JSON.parse(await kubectlOk(['get', 'pods', '-l', 'job-name=waiter', '-o', 'json'])) as { kind: string; items: Pod[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((p) => p.metadata.name)).toEqual([expect.stringMatching(/^waiter-\w{5}$/)]);
    const podName = list.items[0]!.metadata.name!;
    expect(await kubectlOk(['get', 'pods', '-l', 'job-name=waiter', '-o', 'name'])).toBe(`pod/${podName}\n`);

    const wideJobs = await kubectlOk(['get', 'jobs', '-o', 'wide']);
    expect(wideJobs).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
    expect(wideJobs).toMatch(new RegExp(`^waiter\\s+Complete\\s+1/1\\s+\\S+\\s+\\S+\\s+main\\s+busybox\\s+batch.kubernetes.io/controller-uid=${asJson.metadata.uid}$`, 'm'));
    const widePods = await kubectlOk(['get', 'pods', '-l', 'job-name=waiter', '-o', 'wide']);
    expect(widePods).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    expect(widePods).toMatch(new RegExp(`^${podName}\\s+0/1\\s+Completed\\s+0\\s+\\S+\\s+127\\.\\d+\\.\\d+\\.\\d+\\s+node-[12]\\s+<none>\\s+<none>$`, 'm'));

    const all = await kubectlOk(['get', 'jobs', '-A']);
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
    expect(all).toMatch(/^default\s+waiter\s+Complete\s+1\/1\s+/m);

    const labelled = await kubectlOk(['get', 'pods', '-l', 'job-name=waiter', '--show-labels']);
    expect(labelled).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/m);
    const labels = labelled.trimEnd().split('\n')[1]!.split(/\s+/).at(-1)!.split(',');
    expect(labels).toEqual(expect.arrayContaining(['app=waiter', 'job-name=waiter', `controller-uid=${asJson.metadata.uid}`]));
  }, 60_000);

  it('describe pod and describe node', async () => {
    const [pod] = await podsOf('waiter');
    const name = pod!.metadata.name!;
    const d = await kubectlOk(['describe', 'pod', name]);
    expect(d).toMatch(new RegExp(`^Name:\\s+${name}$`, 'm'));
    expect(d).toMatch(/^Namespace:\s+default$/m);
    expect(d).toMatch(new RegExp(`^Node:\\s+${pod!.spec.nodeName}/127\\.0\\.0\\.1$`, 'm'));
    expect(d).toMatch(/^Status:\s+Succeeded$/m);
    expect(d).toMatch(/^IP:\s+127\.\d+\.\d+\.\d+$/m);
    expect(d).toMatch(/^Controlled By:\s+Job\/waiter$/m);
    expect(d).toMatch(/^ {2}main:$/m);
    expect(d).toMatch(/^ {4}Image:\s+busybox$/m);
    expect(d).toMatch(/^ {4}State:\s+Terminated$/m);
    expect(d).toMatch(/^ {6}Reason:\s+Completed$/m);
    expect(d).toMatch(/^ {6}Exit Code:\s+0$/m);
    expect(d).toMatch(new RegExp(`Scheduled\\s+.*Successfully assigned default/${name} to ${pod!.spec.nodeName}$`, 'm'));

    const n = await kubectlOk(['describe', 'node', 'node-1']);
    expect(n).toMatch(/^Name:\s+node-1$/m);
    expect(n).toMatch(/^Labels:\s+.*kubernetes.io\/hostname=node-1/ms);
    expect(n).toMatch(/^Conditions:$/m);
    expect(n).toMatch(/^ {2}Ready\s+True\s+/m);
    expect(n).toMatch(/^Capacity:$/m);
    expect(n).toMatch(/^ {2}cpu:\s+\d+/m);
    expect(n).toMatch(/^ {2}pods:\s+\d+/m);
    expect(n).toMatch(/^Non-terminated Pods:/m);
    await kubectlOk(['delete', 'job', 'waiter']);
  }, 60_000);
});

describe('a second kubectl apply', () => {
  it('patches a Job by strategic merge and keeps what the manifest never set', async () => {
    const v1 = jobYaml('smp', 'sleep 1', '  suspend: true\n  parallelism: 1\n').replace('metadata:\n  name: smp\n', 'metadata:\n  name: smp\n  labels:\n    tier: one\n');
    expect(await kubectlOk(['apply', '-f', '-'], v1)).toBe('job.batch/smp created\n');
    expect(await kubectlOk(['label', 'job', 'smp', 'kept=yes'])).toBe('job.batch/smp labeled\n');
    expect(await kubectlOk(['apply', '-f', '-'], v1)).toBe('job.batch/smp unchanged\n');
    const v2 = v1.replace('tier: one', 'tier: two').replace('parallelism: 1', 'parallelism: 2');
    expect(await kubectlOk(['apply', '-f', '-'], v2)).toBe('job.batch/smp configured\n');
    const j = await e.api.get<Job>('Job', 'default', 'smp');
    expect(j.metadata.labels).toMatchObject({ tier: 'two', kept: 'yes' });
    expect(j.spec?.parallelism).toBe(2);
    expect(j.spec?.suspend).toBe(true);
    expect(j.spec?.backoffLimit).toBe(6);
    const applied = JSON.parse(j.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']!) as Job;
    expect(applied.metadata.labels).toEqual({ tier: 'two' });
    expect(await podsOf('smp')).toEqual([]);
    await kubectlOk(['delete', 'job', 'smp']);
  }, 60_000);

  it('merges a CronJob\'s containers and env by name, keeping server-side additions', async () => {
    const v1 = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: smp-cron
spec:
  schedule: "0 */5 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: batch-job
            image: busybox
            command: ["sh", "-c", "echo $A"]
            env:
            - name: A
              value: "1"
          restartPolicy: OnFailure
`;
    expect(await kubectlOk(['apply', '-f', '-'], v1)).toBe('cronjob.batch/smp-cron created\n');
    // Changes made on the server, never in the manifest: a label and a second env var.
    await kubectlOk(['label', 'cronjob', 'smp-cron', 'owner=ops']);
    expect(await kubectlOk(['patch', 'cronjob', 'smp-cron', '--type=strategic', '-p', JSON.stringify({ spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'batch-job', env: [{ name: 'B', value: 'server' }] }] } } } } } })])).toBe('cronjob.batch/smp-cron patched\n');
    const v2 = v1.replace('0 */5 * * *', '*/10 * * * *').replace('value: "1"', 'value: "2"').replace('image: busybox', 'image: busybox:1.36');
    expect(await kubectlOk(['apply', '-f', '-'], v2)).toBe('cronjob.batch/smp-cron configured\n');
    const cj = await e.api.get<CronJob>('CronJob', 'default', 'smp-cron');
    expect(cj.spec.schedule).toBe('*/10 * * * *');
    expect(cj.metadata.labels).toEqual({ owner: 'ops' });
    const c = cj.spec.jobTemplate.spec!.template.spec.containers;
    expect(c).toHaveLength(1);
    expect(c[0]!.image).toBe('busybox:1.36');
    expect(c[0]!.env).toEqual(expect.arrayContaining([{ name: 'A', value: '2' }, { name: 'B', value: 'server' }]));
    expect(c[0]!.env).toHaveLength(2);
    // Defaults the server filled in survive too.
    expect(cj.spec.concurrencyPolicy).toBe('Allow');
    expect(cj.spec.successfulJobsHistoryLimit).toBe(3);
    // Replacing A by C in the manifest deletes A (it was applied) and keeps B (it never was).
    const v3 = v2.replace('name: A\n              value: "2"', 'name: C\n              value: "3"');
    expect(v3).not.toContain('name: A');
    expect(await kubectlOk(['apply', '-f', '-'], v3)).toBe('cronjob.batch/smp-cron configured\n');
    const env = (await e.api.get<CronJob>('CronJob', 'default', 'smp-cron')).spec.jobTemplate.spec!.template.spec.containers[0]!.env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'C', value: '3' }, { name: 'B', value: 'server' }]));
    expect(env).toHaveLength(2);
    await kubectlOk(['delete', 'cronjob', 'smp-cron']);
  }, 60_000);
});

describe('kubectl delete --cascade=foreground --wait', () => {
  it('keeps the Job (Terminating, foregroundDeletion) until its pods are gone; --wait returns after both', async () => {
    await kubectlOk(['apply', '-f', '-'], jobYaml('fg', 'sleep 600'));
    const pod = await waitFor('fg pod running', async () => {
      const [p] = await podsOf('fg');
      return p?.status?.phase === 'Running' ? p : undefined;
    }, 60_000);
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'fg', blockOwnerDeletion: true });
    // Hold the pod with a finalizer of our own, so the Job's foreground deletion visibly waits for it.
    await kubectlOk(['patch', 'pod', pod.metadata.name!, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    const del = kubectlLive(['delete', 'job', 'fg', '--cascade=foreground', '--wait=true']);
    const job = await waitFor('fg Terminating', async () => {
      const j = await e.api.get<Job>('Job', 'default', 'fg');
      return j.metadata.deletionTimestamp ? j : undefined;
    }, 30_000);
    expect(job.metadata.finalizers).toContain('foregroundDeletion');
    await waitFor('pod marked for deletion', async () => (await getPod(pod.metadata.name!)).metadata.deletionTimestamp, 30_000);
    expect(await kubectlOk(['get', 'job', 'fg'])).toMatch(/^fg\s+Terminating\s+/m);
    // Still waiting: the pod is held, so the Job is still there.
    expect(await e.isGone('Job', 'fg')).toBe(false);
    expect(del.proc.exitCode).toBeNull();
    await kubectlOk(['patch', 'pod', pod.metadata.name!, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    expect(await del.exited).toBe(0);
    expect(del.out()).toBe('job.batch "fg" deleted\n');
    // --wait returned only once the Job was gone, and foreground means its pod went first.
    expect(await e.isGone('Job', 'fg')).toBe(true);
    expect(await e.isGone('Pod', pod.metadata.name!)).toBe(true);
  }, 120_000);

  it('delete -f with --wait removes every object of a manifest', async () => {
    const file = path.join(scratch, 'two.yaml');
    writeFileSync(file, `${jobYaml('multi-a', 'true')}---\n${jobYaml('multi-b', 'true')}`);
    expect(await kubectlOk(['apply', '-f', file])).toBe('job.batch/multi-a created\njob.batch/multi-b created\n');
    expect(await kubectlOk(['delete', '-f', file, '--wait'])).toBe('job.batch "multi-a" deleted\njob.batch "multi-b" deleted\n');
    expect(await e.isGone('Job', 'multi-a')).toBe(true);
    expect(await e.isGone('Job', 'multi-b')).toBe(true);
    await waitFor('their pods gone', async () => (await e.api.list<KObject>('Pod', { namespace: 'default', labelSelector: 'app in (multi-a,multi-b)' })).items.length === 0, 60_000);
  }, 60_000);
});
