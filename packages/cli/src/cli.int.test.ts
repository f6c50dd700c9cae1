/**
 * The kjobs CLI as a user runs it — `node packages/cli/bin/kjobs.mjs --kubeconfig …` — against a
 * real api-server process (HTTPS, generated CA, bearer token) on the machine's Redis and NATS,
 * with its own state dir, port, key prefix and subject prefix. No controller runs, so Job
 * status changes the tests need are written through the API like a controller would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'packages/cli/bin/kjobs.mjs');
const EXAMPLES = path.resolve(ROOT, 'examples', 'chapter-12');
const PREFIX = `kjobs-cli-it-${randomBytes(4).toString('hex')}`;
const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-cli-it-'));
const kubeconfig = path.join(home, 'kubeconfig');

let server: ChildProcess | undefined;
let serverLog = '';
let client: HttpClient;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\napi-server log:\n${serverLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI to completion (killed after `timeoutMs`). */
function kjobs(args: string[], o: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--kubeconfig', kubeconfig, ...args], {
      cwd: o.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(o.input ?? '');
  });
}

/** Start the CLI and keep it running (for -w); `stop()` interrupts it like Ctrl-C. */
function kjobsLive(args: string[]): { output: () => string; stop: () => Promise<Run> } {
  const child = spawn(process.execPath, [BIN, '--kubeconfig', kubeconfig, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const hardStop = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return {
    output: () => stdout,
    stop: async () => {
      child.kill('SIGINT');
      const code = await closed;
      clearTimeout(hardStop);
      return { code, stdout, stderr };
    },
  };
}

function readyz(ca: Buffer, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/readyz`, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

beforeAll(async () => {
  const port = await freePort();
  server = spawn(process.execPath, ['--import', 'tsx', 'services/api-server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, KJOBS_HOME: home, KJOBS_API_ADDR: `127.0.0.1:${port}`, KJOBS_KUBECONFIG: kubeconfig,
      KJOBS_STORE_PREFIX: PREFIX, KJOBS_SUBJECT_PREFIX: PREFIX, LOG_LEVEL: 'warn',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (c: Buffer) => (serverLog += c.toString()));
  server.stderr!.on('data', (c: Buffer) => (serverLog += c.toString()));
  const exited = new Promise<never>((_, reject) => server!.once('exit', (code) => reject(new Error(`api-server exited (${code}):\n${serverLog}`))));
  const kc = await Promise.race([exited, until('the kubeconfig', () => (existsSync(kubeconfig) ? JSON.parse(readFileSync(kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[];
  } : undefined))]);
  const cluster = kc.clusters[0]!.cluster;
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64');
  await Promise.race([exited, until('/readyz', async () => ((await readyz(ca, cluster.server)) ? true : undefined))]);
  client = new HttpClient({ server: cluster.server, token: kc.users[0]!.user.token, ca });
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    const t = setTimeout(() => server?.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${PREFIX}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
    rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

/** Mark a Job finished through the status subresource, as the job-controller would. */
async function finishJob(name: string, type: 'Complete' | 'Failed', counts: { succeeded?: number; failed?: number }): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.patch<Job>('Job', 'default', name, 'merge', {
    status: {
      startTime: now, ...(type === 'Complete' ? { completionTime: now } : {}), active: 0, ...counts,
      conditions: [{ type, status: 'True', lastProbeTime: now, lastTransitionTime: now }],
    },
  }, { subresource: 'status' });
}

describe('kjobs against a real api-server', () => {
  it('apply: created, unchanged, configured; the last-applied annotation as kubectl writes it', async () => {
    const first = await kjobs(['apply', '-f', path.join(EXAMPLES, 'job-parallel.yaml')]);
    expect(first).toMatchObject({ code: 0, stdout: 'job.batch/parallel created\n' });
    const again = await kjobs(['apply', '-f', path.join(EXAMPLES, 'job-parallel.yaml')]);
    expect(again).toMatchObject({ code: 0, stdout: 'job.batch/parallel unchanged\n' });
    const changed = readFileSync(path.join(EXAMPLES, 'job-parallel.yaml'), 'utf8').replace('parallelism: 5', 'parallelism: 2');
    const third = await kjobs(['apply', '-f', '-'], { input: changed });
    expect(third).toMatchObject({ code: 0, stdout: 'job.batch/parallel configured\n' });

    const job = await client.get<Job>('Job', 'default', 'parallel');
    expect(job.spec.parallelism).toBe(2);
    const la = job.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '';
    expect(la.startsWith('{"apiVersion":"batch/v1","kind":"Job","metadata":{"annotations":{},"labels":{"chapter":"jobs"},"name":"parallel","namespace":"default"},"spec":{"completions":10,"parallelism":2,')).toBe(true);
    expect(la.endsWith('}\n')).toBe(true);
    // Server-added labels survive the patch.
    expect(job.metadata.labels?.['job-name']).toBe('parallel');
  });

  it('get: server tables, -o name/json, empty lists, unknown types', async () => {
    const jobs = await kjobs(['get', 'jobs']);
    expect(jobs.code).toBe(0);
    const lines = jobs.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s{3,}STATUS\s{3,}COMPLETIONS\s{3,}DURATION\s{3,}AGE$/);
    expect(lines.some((l) => /^parallel\s{3,}Running\s{3,}0\/10\s+/.test(l))).toBe(true);

    const wide = await kjobs(['get', 'job', 'parallel', '-o', 'wide', '--show-labels']);
    expect(wide.stdout.split('\n')[0]).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR\s+LABELS$/);
    expect(wide.stdout).toContain('gcr.io/kuar-demo/kuard-amd64:blue');

    expect(await kjobs(['get', 'job/parallel', '-o', 'name'])).toMatchObject({ code: 0, stdout: 'job.batch/parallel\n' });
    const json = JSON.parse((await kjobs(['get', 'jobs', 'parallel', '-o', 'json'])).stdout) as Job;
    expect(json).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'parallel' } });
    const list = JSON.parse((await kjobs(['get', 'jobs', '-o', 'json'])).stdout) as { kind: string; items: Job[] };
    expect(list.kind).toBe('List');

    expect(await kjobs(['get', 'pods'])).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
    expect(await kjobs(['get', 'foo'])).toMatchObject({ code: 1, stderr: 'error: the server doesn\'t have a resource type "foo"\n' });
    expect(await kjobs(['get', 'jobs', 'nope'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): jobs.batch "nope" not found\n' });
  });

  it('describe job: kubectl\'s layout', async () => {
    const r = await kjobs(['describe', 'jobs', 'parallel']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+parallel\nNamespace:\s+default\nSelector:\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}\n/);
    for (const line of [/^Parallelism:\s+2$/m, /^Completions:\s+10$/m, /^Pods Statuses:\s+0 Running \/ 0 Succeeded \/ 0 Failed$/m, /^Pod Template:$/m, /^ {3}kuard:$/m, /^Events:\s+<none>$/m]) {
      expect(r.stdout).toMatch(line);
    }
    // A name prefix finds it too, as kubectl describe does.
    expect((await kjobs(['describe', 'job', 'paral'])).stdout).toContain('Name:             parallel');
  });

  it('create -f, AlreadyExists, and create job --from=cronjob', async () => {
    const cj = path.join(EXAMPLES, 'job-cronjob.yaml');
    expect(await kjobs(['create', '-f', cj])).toMatchObject({ code: 0, stdout: 'cronjob.batch/example-cron created\n' });
    expect(await kjobs(['create', '-f', cj])).toMatchObject({
      code: 1, stderr: `Error from server (AlreadyExists): error when creating "${cj}": cronjobs.batch "example-cron" already exists\n`,
    });
    expect(await kjobs(['create', 'job', 'manual-1', '--from=cronjob/example-cron'])).toMatchObject({ code: 0, stdout: 'job.batch/manual-1 created\n' });
    const job = await client.get<Job>('Job', 'default', 'manual-1');
    const cron = await client.get('CronJob', 'default', 'example-cron');
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'batch/v1', kind: 'CronJob', name: 'example-cron', uid: cron.metadata.uid, controller: true })]);
    expect(job.spec.template.spec.containers[0]).toMatchObject({ name: 'batch-job', image: 'my-batch-image' });

    const d = await kjobs(['describe', 'cj', 'example-cron']);
    expect(d.stdout).toMatch(/^Schedule:\s+0 \*\/5 \* \* \*$/m);
  });

  it('get -w prints rows as watch events arrive', async () => {
    const w = kjobsLive(['get', 'jobs', '-w']);
    try {
      await until('the header', () => (/^NAME\s+STATUS/.test(w.output()) ? true : undefined));
      const before = w.output();
      const r = await kjobs(['create', 'job', 'watched', '--image=busybox', '--', 'true']);
      expect(r.code).toBe(0);
      const row = await until('a row for the new job', () => w.output().slice(before.length).split('\n').find((l) => /^watched\s+/.test(l)));
      expect(row).toMatch(/^watched\s{3,}\S+\s{3,}0\/1/);
    } finally {
      const end = await w.stop();
      expect(end.code).toBe(0);
    }
  });

  it('wait and progress follow a Job to its end', async () => {
    const timedOut = await kjobs(['wait', '--for=condition=complete', 'job/watched', '--timeout=1s']);
    expect(timedOut).toMatchObject({ code: 1, stderr: 'error: timed out waiting for the condition on jobs/watched\n' });

    let waitDone = false;
    const waiting = kjobs(['wait', '--for=condition=complete', 'job/watched', '--timeout=30s']).finally(() => (waitDone = true));
    const progress = kjobsLive(['progress', 'job/watched']);
    // progress prints its first line after listing the Job; from then on it watches from that
    // list's resourceVersion, so the change below reaches it through the watch.
    await until('progress to report the running Job', () => (/^watched: (Pending|Running), 0\/1 succeeded/.test(progress.output()) ? true : undefined));
    expect(waitDone).toBe(false);
    await finishJob('watched', 'Complete', { succeeded: 1 });
    expect(await waiting).toMatchObject({ code: 0, stdout: 'job.batch/watched condition met\n' });
    await until('progress to see the end', () => (/^watched: Complete, 1\/1 succeeded, 0 failed, took \d+s$/m.test(progress.output()) ? true : undefined));
    const p = await progress.stop();
    expect(p.code).toBe(0);

    await finishJob('manual-1', 'Failed', { failed: 7 });
    expect(await kjobs(['progress', 'manual-1'])).toMatchObject({ code: 1 });
  });

  it('delete: by name, by label across types, NotFound', async () => {
    expect(await kjobs(['delete', 'jobs', 'nope'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): jobs.batch "nope" not found\n' });
    const applied = await kjobs(['apply', '-f', path.join(EXAMPLES, 'rs-queue.yaml'), '-f', path.join(EXAMPLES, 'service-queue.yaml')]);
    expect(applied).toMatchObject({ code: 0, stdout: 'replicaset.apps/queue created\nservice/queue created\n' });
    const all = await kjobs(['get', 'rs,svc,job', '-l', 'chapter=jobs']);
    expect(all.stdout).toMatch(/^replicaset\.apps\/queue\s/m);
    expect(all.stdout).toMatch(/^service\/queue\s/m);
    expect(all.stdout).toMatch(/^job\.batch\/parallel\s/m);

    const del = await kjobs(['delete', 'rs,svc,job', '-l', 'chapter=jobs']);
    expect(del).toMatchObject({ code: 0, stdout: 'replicaset.apps "queue" deleted\nservice "queue" deleted\njob.batch "parallel" deleted\n' });
    expect(await kjobs(['get', 'rs,svc,job', '-l', 'chapter=jobs'])).toMatchObject({ code: 0, stderr: 'No resources found in default namespace.\n' });
    expect(await kjobs(['delete', 'job', '-l', 'chapter=jobs'])).toMatchObject({ code: 0, stdout: 'No resources found\n' });
    expect(await kjobs(['delete', 'job/watched', 'job/manual-1'])).toMatchObject({ code: 0, stdout: 'job.batch "watched" deleted\njob.batch "manual-1" deleted\n' });
  });

  it('errors tell the user what to do', async () => {
    const port = await freePort();
    const refused = await kjobs(['get', 'jobs', '--server', `https://127.0.0.1:${port}`]);
    expect(refused).toMatchObject({ code: 1, stderr: `error: cannot reach the kjobs api-server at https://127.0.0.1:${port}: start the cluster with \`npm start\` (or \`docker compose up\`)\n` });
    expect(await kjobs(['get', 'jobs', '--token', 'wrong'])).toMatchObject({ code: 1, stderr: 'error: You must be logged in to the server (Unauthorized)\n' });
    expect(await kjobs(['logs', 'nope'])).toMatchObject({ code: 1, stderr: 'error: error from server (NotFound): pods "nope" not found in namespace "default"\n' });
  });
});
