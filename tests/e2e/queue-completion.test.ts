/**
 * Queue-aware completion (issue 23 item 3, docs/kjobs-extensions.md): the chapter's work queue —
 * the kuard queue ReplicaSet and Service, 100 items, the consumers Job of 5 — with the Job naming
 * its queue (`kjobs.io/memq-queue`) and the consumers in lease mode. One consumer is SIGKILLed
 * holding a lease; Kubernetes would complete the Job once the others exit 0, losing that item.
 * Here the Job waits for the lease to expire, runs a consumer for the redelivered item, and
 * completes only with the queue empty and nothing in flight; every item is acked exactly once.
 */
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Job, Pod } from '@kjobs/api';
import { EXAMPLES, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  // The queue is the chapter's kuard pod, not kjobs' memq service. Pod addresses of their own:
  // every cluster's agents default to 127.10/16 and 127.11/16, and this test dials the queue pod.
  const octet = 64 + randomInt(180);
  e = await startE2E({ without: ['memq'], nodeEnv: (i) => ({ KJOBS_POD_IP_RANGE: `127.${octet}.${i}.0/24` }) });
}, 120_000);
afterAll(async () => {
  await e?.stop();
});

interface QueueStat { name: string; depth: number; enqueued: number; dequeued: number; drained: number; inFlight: number; redelivered: number }
/** Long enough that, even on a loaded machine, every other consumer is done before the killed one's lease ends. */
const LEASE = '45s';

async function kubectlOk(args: string[]): Promise<string> {
  const r = await e.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The queue pod's address. The harness keeps process pods on the node network: a loopback IP, dialled from here. */
async function queueAddress(): Promise<string> {
  const pod = await waitFor('queue pod Running', async () => {
    const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'app=work-queue,component=queue' })).items;
    return pods.find((p) => p.status?.phase === 'Running' && p.status.podIP);
  }, 60_000);
  const ip = pod.status!.podIP!;
  expect(ip.startsWith('127.')).toBe(true);
  const base = `http://${ip}:8080/memq/server`;
  // Running comes before kuard listens.
  await waitFor('the queue pod serving MemQ', async () => (await fetch(`${base}/stats`)).ok, 60_000);
  return base;
}

async function memq(base: string, method: string, p: string, body?: string): Promise<Response> {
  const res = await fetch(`${base}${p}`, { method, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res;
}
async function stat(base: string, queue: string): Promise<QueueStat> {
  const s = (await (await memq(base, 'GET', '/stats?extended=1')).json()) as { queues: QueueStat[] };
  return s.queues.find((q) => q.name === queue)!;
}

/** The chapter's consumers Job in lease mode, naming its queue. */
function consumersJob(name: string, queue: string, extraArgs: string[] = []): Job {
  const job = parseYaml(readFileSync(path.join(EXAMPLES, 'job-consumers.yaml'), 'utf8')) as Job;
  job.metadata.name = name;
  job.metadata.annotations = { 'kjobs.io/memq-queue': queue, 'kjobs.io/memq-server': 'http://queue:8080/memq/server' };
  const c = job.spec.template.spec.containers[0]!;
  c.args = [...c.args!.map((a) => (a.startsWith('--keygen-memq-queue=') ? `--keygen-memq-queue=${queue}` : a)), `--keygen-memq-lease=${LEASE}`, ...extraArgs];
  return job;
}

async function jobPods(job: string): Promise<Pod[]> {
  return (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: `job-name=${job}` })).items;
}
const isComplete = (j: Job) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;
const isActive = (p: Pod) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** The consumer programs of these pods (process runtime): the processes in the pods' directories, not their shims. */
function consumerPids(podUids: Set<string>): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cwd = readlinkSync(`/proc/${d}/cwd`);
      if (!cwd.startsWith(e.home) || !podUids.has(path.basename(cwd))) continue;
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('kjobs-shim.sh')) || !argv.some((a) => a.startsWith('--keygen-memq-queue='))) continue;
      out.push(Number(d));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return out;
}

/**
 * SIGKILL one consumer while it holds a lease: freeze every consumer (until no new one appears),
 * and when the queue has as many leases in flight as frozen consumers — each holds at most one,
 * so each holds exactly one — kill one and let the others go on. Otherwise let them all go on
 * and try again once the queue moved.
 */
async function killOneMidItem(base: string, job: string): Promise<number> {
  return waitFor('a moment when every consumer holds a lease', async () => {
    const uids = new Set((await jobPods(job)).map((p) => p.metadata.uid!));
    const frozen = new Set<number>();
    for (let fresh = consumerPids(uids); fresh.some((p) => !frozen.has(p)); fresh = consumerPids(uids)) {
      for (const pid of fresh) if (!frozen.has(pid)) {
        process.kill(pid, 'SIGSTOP');
        frozen.add(pid);
      }
    }
    // All five running, so that the rest of the queue drains well within the killed consumer's lease.
    if (frozen.size < 5) {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      return undefined;
    }
    const s = await stat(base, 'keygen');
    const [victim] = frozen;
    const killIt = s.inFlight === frozen.size;
    if (killIt) process.kill(victim!, 'SIGKILL');
    for (const pid of frozen) if (!killIt || pid !== victim) process.kill(pid, 'SIGCONT');
    if (!killIt) expect(s.depth).toBeGreaterThan(0); // the queue drained before a try succeeded: fail, do not spin
    return killIt ? victim : undefined;
  }, 60_000, 20);
}

describe('queue-aware completion of the chapter\'s consumers Job', () => {
  let base: string | undefined;
  /** The chapter's queue ReplicaSet and Service (once per file); the queue pod's MemQ URL. */
  async function chapterQueue(): Promise<string> {
    if (base) return base;
    expect(await kubectlOk(['apply', '-f', path.join(EXAMPLES, 'rs-queue.yaml')])).toContain('replicaset.apps/queue created');
    expect(await kubectlOk(['apply', '-f', path.join(EXAMPLES, 'service-queue.yaml')])).toContain('service/queue created');
    return (base = await queueAddress());
  }

  it('one consumer SIGKILLed mid-item: all 100 items acked once, Complete only once the queue is empty', async () => {
    const base = await chapterQueue();
    // load-queue.sh, against the pod.
    await memq(base, 'PUT', '/queues/keygen');
    for (let i = 0; i < 100; i++) await memq(base, 'POST', '/queues/keygen/enqueue', `work-item-${i}`);

    // 1024-bit keys: an item takes long enough next to its two requests that a frozen consumer is nearly always mid-item.
    await e.apply(consumersJob('consumers', 'keygen', ['--keygen-key-bits=1024']));
    await killOneMidItem(base, 'consumers');

    // Every consumer is done, the killed one's lease still runs: Kubernetes would call the Job Complete now.
    let seen = '';
    const held = await waitFor('every consumer exited, one lease in flight', async () => {
      const pods = await jobPods('consumers');
      const s = await stat(base, 'keygen');
      seen = `${JSON.stringify(s)} pods ${pods.map((p) => `${p.status?.phase}/${p.status?.containerStatuses?.[0]?.restartCount ?? '-'}`).join(' ')}`;
      return pods.length === 5 && pods.every((p) => !isActive(p)) && s.depth === 0 && s.inFlight === 1 ? s : undefined;
    }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${seen}`);
    });
    expect(held.dequeued).toBe(100);
    const whileHeld = await e.api.get<Job>('Job', 'default', 'consumers');
    expect(isComplete(whileHeld)).toBe(false);
    await waitFor('the queue status on the Job', async () => (await e.api.get<Job>('Job', 'default', 'consumers')).metadata.annotations?.['kjobs.io/memq-queue-status'] === 'depth=0 inFlight=1');
    const described = await kubectlOk(['describe', 'job', 'consumers']);
    expect(described).toContain('kjobs.io/memq-queue-status: depth=0 inFlight=1');
    const kd = await e.kjobs(['describe', 'job', 'consumers']);
    expect(kd.stdout).toMatch(/MemQ Queue:\s+keygen at http:\/\/queue:8080\/memq\/server: 0 waiting, 1 lease in flight/);
    expect((await e.kjobs(['why', 'job/consumers'])).stdout).toContain('The Job waits for its MemQ queue keygen (kjobs.io/memq-queue): 1 lease in flight');

    // The lease expires, the item is redelivered, a new consumer takes it; then the Job completes.
    const done = await waitFor('consumers Complete', async () => {
      const j = await e.api.get<Job>('Job', 'default', 'consumers');
      if (!isComplete(j)) return undefined;
      return { job: j, stat: await stat(base, 'keygen') };
    }, 120_000, 250);
    expect(done.stat).toEqual({ name: 'keygen', depth: 0, enqueued: 100, dequeued: 100, drained: 0, inFlight: 0, redelivered: 1 });
    expect(done.job.metadata.annotations?.['kjobs.io/memq-queue-status']).toBe('depth=0 inFlight=0');
    const pods = await jobPods('consumers');
    expect(pods).toHaveLength(6);
    expect(pods.every((p) => p.status?.phase === 'Succeeded')).toBe(true);
    expect(done.job.status?.succeeded).toBe(6);

    // Each item acked once: 100 leases settled (the counters above), none late. Keys made: the 100,
    // plus the killed consumer's item when it was killed between its key and its ack.
    const logs = await Promise.all(pods.flatMap((p) => [
      e.api.logs('default', p.metadata.name!),
      (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0 ? e.api.logs('default', p.metadata.name!, { previous: true }) : Promise.resolve(''),
    ]));
    const all = logs.join('');
    expect(all).not.toContain('Error acking item');
    const keys = all.match(/Item done: SHA256:[A-Za-z0-9+/]{43}/g) ?? [];
    expect(keys.length === 100 || keys.length === 101).toBe(true);
    expect(pods.reduce((n, p) => n + (p.status?.containerStatuses?.[0]?.restartCount ?? 0), 0)).toBe(1);
  }, 300_000);

  it('a consumer exits 0 with items still queued: the Job stays active until the queue is empty', async () => {
    const base = await chapterQueue();
    await memq(base, 'PUT', '/queues/held');
    await memq(base, 'PUT', '/queues/elsewhere');
    await memq(base, 'POST', '/queues/held/enqueue', 'a');
    await memq(base, 'POST', '/queues/held/enqueue', 'b');
    // The consumers read another (empty) queue: each exits 0 at once, leaving `held` as it is.
    const job = consumersJob('held-consumers', 'held');
    job.spec.parallelism = 1;
    const c = job.spec.template.spec.containers[0]!;
    c.args = c.args!.map((a) => (a === '--keygen-memq-queue=held' ? '--keygen-memq-queue=elsewhere' : a));
    await e.apply(job);

    // A success with the queue not empty: Kubernetes would complete; here another consumer is started.
    await waitFor('a second consumer after the first succeeded', async () => {
      const pods = await jobPods('held-consumers');
      return pods.length >= 2 && pods.some((p) => p.status?.phase === 'Succeeded');
    }, 60_000);
    const j = await e.api.get<Job>('Job', 'default', 'held-consumers');
    expect(isComplete(j)).toBe(false);
    expect(j.status?.succeeded ?? 0).toBeGreaterThanOrEqual(1);
    await waitFor('the queue status on the Job', async () => (await e.api.get<Job>('Job', 'default', 'held-consumers')).metadata.annotations?.['kjobs.io/memq-queue-status'] === 'depth=2 inFlight=0');
    expect(await stat(base, 'held')).toMatchObject({ depth: 2, inFlight: 0 });

    // Empty the queue: the Job completes.
    await memq(base, 'POST', '/queues/held/drain');
    await waitFor('held-consumers Complete', async () => isComplete(await e.api.get<Job>('Job', 'default', 'held-consumers')), 60_000);
    // The sync that completes the Job records the queue it saw right after its status write
    // (memq/job-queues.ts): the annotation follows the Complete condition, not with it.
    const done = await waitFor('the empty queue recorded on the Job', async () => {
      const cur = await e.api.get<Job>('Job', 'default', 'held-consumers');
      return cur.metadata.annotations?.['kjobs.io/memq-queue-status'] === 'depth=0 inFlight=0' ? cur : undefined;
    }, 60_000);
    expect(isComplete(done)).toBe(true);
    expect(done.metadata.annotations?.['kjobs.io/memq-queue-status']).toBe('depth=0 inFlight=0');
  }, 180_000);
});
