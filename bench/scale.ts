/**
 * `npm run bench -- scale [--size 1000|10000|100000] [--job-completions N] [--cron-minutes M]`:
 * how cost grows with the number of stored objects (issue 22). For each size N (default: all
 * three, one JSON line each) a fresh cluster (two process-runtime nodes, no pod network, no memq)
 * on its own redis-server and nats-server, then, in that one run:
 *
 * 1. store: N finished pods (created over NATS in batches, bound to a node that does not exist so
 *    no agent runs them, then status.phase Succeeded written through the status subresource) and
 *    N suspended Jobs. Redis `used_memory` growth per pod and per Job, beside the floor of the
 *    object's own JSON bytes; one change-log entry's cost (`MEMORY USAGE` of the pods log ÷ XLEN).
 * 2. list: all pods in pages of 500 over HTTPS and over NATS — wall time and the api-server's peak
 *    RSS growth (VmHWM after resetting it through /proc/<pid>/clear_refs), beside the floor of
 *    reading the same objects straight from Redis (HGET per object, pipelined by 500).
 * 3. informers: an Informer from @kjobs/client in a child process (the services expose no cache
 *    size) lists+watches all pods, then all Jobs, over NATS: time to sync and its own RSS growth
 *    per 1,000 objects; beside it the RSS growth of the job-controller, scheduler and agents while
 *    the objects were written (their informers hold the pods and Jobs).
 * 4. watch fan-out: 1, 10, 100 NATS watchers (NatsClient.watch, one connection each, all in one
 *    child process) on pods while 1,000 creates/s run (batches of 50): delivery p99 (create sent →
 *    event at each watcher), beside raw NATS fan-out of the same watch message to the same
 *    subscribers at the same rate (each decodes it as a watcher does).
 * 5. a Job of N completions (`--job-completions`), Indexed and then NonIndexed, parallelism 200,
 *    pods running `true`: pods/s over time, the Job object's size, the job-controller's CPU per
 *    pod over the first and the last 10 % of completions, api-server RSS and Redis memory at the end.
 * 6. N/10 CronJobs on `*∕1` whose Jobs are created suspended (creation is what is measured; their
 *    pods would only measure pod throughput again): creation lateness p99 over `--cron-minutes`
 *    boundaries (3; 1 at the smallest size), beside setTimeouts aimed at the same boundaries.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { CronJob, Job, KObject, Node, Pod, WatchEvent } from '@kjobs/api';
import { connectBus, decodeWatchMessage, encodeJson, type NatsConnection } from '@kjobs/bus';
import { HttpClient, Informer, NatsClient, type ApiClient } from '@kjobs/client';
import { startOwnedInfra } from '../chaos/infra.js';
import { freePort } from '../scripts/infra.js';
import { readKubeconfig, startCluster, type Cluster } from '../scripts/cluster.js';
import { emitResult, inFlight, machine, paced, printTable, progress, summarize } from './support/util.js';
import { load, readProc, round } from './support/measure.js';
import { until } from './support/bench-cluster.js';
import { costAtEnds, growthExponents, parseScaleArgs, quarterRates, rateSeries, SIZES, type ScaleArgs } from './support/scale-math.js';
import { baselineTimers } from './cron.js';

const GHOST_NODE = 'scale-ghost';
const NS = 'default';
const WATCHERS = [1, 10, 100];
const WATCH_RATE = 1000;
const WATCH_SECONDS = 3;
const WATCH_BATCH = 50;
const PARALLELISM = 200;
const SCHEDULED = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** A finished pod as a Job leaves it (labels of a Job's pod, a terminated container), minus the ownerReference (the GC would delete it). */
export function finishedPod(name: string, i: number): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'batch.kubernetes.io/job-name': 'scale', 'job-name': 'scale', 'batch.kubernetes.io/controller-uid': '00000000-0000-4000-8000-000000000000', 'batch.kubernetes.io/job-completion-index': String(i) } },
    spec: {
      nodeName: GHOST_NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox', command: ['true'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

function finishedStatus(i: number): Pod['status'] {
  const t = new Date(Date.UTC(2026, 11, 7, 12, 0, i % 60)).toISOString().replace('.000', '');
  return {
    phase: 'Succeeded', hostIP: '127.0.0.1', podIP: `127.99.${(i >> 8) & 255}.${i & 255}`, startTime: t, qosClass: 'Burstable',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: type === 'PodScheduled' || type === 'Initialized' ? 'True' : 'False', lastTransitionTime: t, ...(type.endsWith('Ready') ? { reason: 'PodCompleted' } : {}) })),
    containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: `process://${i}` } } }],
  } as Pod['status'];
}

function suspendedJob(name: string): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS },
    spec: { suspend: true, completions: 1, parallelism: 1, template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' } } },
  };
}

function benchJob(name: string, completions: number, indexed: boolean): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      completions, parallelism: PARALLELISM, backoffLimit: 1000, ...(indexed ? { completionMode: 'Indexed' } : {}),
      template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
    },
  };
}

function cronJob(i: number): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: `cron-${i}`, namespace: NS },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { suspend: true, template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' } } } },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const nowMs = (): number => performance.timeOrigin + performance.now();
const mib = (b: number) => b / 1024 / 1024;
const log = (size: number, line: string) => process.stderr.write(`[scale ${size}] ${line}\n`);

/** Create `objs` over NATS in batches of 100, `concurrency` batches in flight; throws on the first refused one. */
async function createAll(client: NatsClient, kind: string, count: number, make: (i: number) => KObject, concurrency = 8): Promise<number> {
  const batches = Math.ceil(count / 100);
  return inFlight(batches, concurrency, async (b) => {
    const objs = Array.from({ length: Math.min(100, count - b * 100) }, (_, k) => make(b * 100 + k));
    const res = await client.createMany(kind, objs);
    const bad = res.find((r) => r instanceof Error);
    if (bad) throw bad;
  });
}

async function redisUsed(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Bytes of every change log (`MEMORY USAGE` of each `{p}:log:*` stream), by resource. */
async function changeLogBytes(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:log:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) out[k.slice(k.lastIndexOf(':') + 1)] = Number(await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
  }
  while (cursor !== '0');
  return out;
}
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Reset a process's VmHWM to its current RSS (so VmHWM afterwards is the peak since now); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Every pod in pages of `limit`: wall ms, pages, items. */
async function pagedList(client: ApiClient, kind: string, limit: number): Promise<{ ms: number; items: number; pages: number }> {
  const t0 = performance.now();
  let cont: string | undefined;
  let items = 0;
  let pages = 0;
  do {
    const l = await client.list(kind, { namespace: NS, limit, ...(cont ? { continue: cont } : {}) });
    items += l.items.length;
    pages++;
    cont = l.metadata.continue || undefined;
  } while (cont);
  return { ms: performance.now() - t0, items, pages };
}

/** A list measured with the api-server's peak RSS growth. */
async function measuredList(client: ApiClient, apiPid: number): Promise<{ ms: number; items: number; pages: number; rss_growth_mib: number; rss_method: string }> {
  global.gc?.();
  const before = readProc(apiPid).rssMiB;
  const hwm = resetPeak(apiPid);
  let peak = before;
  const timer = hwm ? undefined : setInterval(() => (peak = Math.max(peak, readProc(apiPid).rssMiB)), 10);
  const r = await pagedList(client, 'Pod', 500);
  clearInterval(timer);
  if (hwm) peak = readProc(apiPid).peakRssMiB;
  return { ...r, rss_growth_mib: peak - before, rss_method: hwm ? 'VmHWM after clear_refs' : 'VmRSS sampled every 10 ms' };
}

/**
 * The floor of a list: the stored JSON of every pod straight from Redis, one script call per 500
 * (HGET of each object's `d`, as the store's list reads it), parsed here: no index scan, no
 * filtering, no encoding, no transport to a client.
 */
async function redisListFloor(redis: Redis, prefix: string): Promise<number> {
  const members = await redis.zrange(`{${prefix}}:i:pods:ns:${NS}`, '0', '-1');
  const script = "local out = {} for i, m in ipairs(ARGV) do out[i] = redis.call('HGET', KEYS[1] .. m, 'd') end return out";
  const t0 = performance.now();
  let items = 0;
  for (let i = 0; i < members.length; i += 500) {
    const page = (await redis.eval(script, 1, `{${prefix}}:o:pods:`, ...members.slice(i, i + 500))) as string[];
    items += page.filter((d) => JSON.parse(d) as object).length;
  }
  if (items !== members.length) throw new Error(`the Redis floor read ${items} of ${members.length} pods`);
  return performance.now() - t0;
}

/** The informer child (this file with --informer-child): sync an Informer of each kind, print its own RSS and time. */
async function informerChild(): Promise<void> {
  const [natsUrl, prefix, token] = process.argv.slice(process.argv.indexOf('--informer-child') + 1);
  const nc = await connectBus({ url: natsUrl! });
  const client = new NatsClient({ nc, prefix, token, timeoutMs: 120_000 });
  const out: Record<string, { objects: number; sync_ms: number; rss_growth_mib: number; heap_growth_mib: number }> = {};
  for (const kind of ['Pod', 'Job']) {
    global.gc?.();
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    const inf = new Informer(client, kind, { namespace: NS });
    await inf.start();
    const syncMs = performance.now() - t0;
    global.gc?.();
    const m1 = process.memoryUsage();
    out[kind] = { objects: inf.list().length, sync_ms: syncMs, rss_growth_mib: mib(m1.rss - m0.rss), heap_growth_mib: mib(m1.heapUsed - m0.heapUsed) };
    inf.stop();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await nc.close();
  process.exit(0);
}

function runInformerChild(natsUrl: string, prefix: string, token: string): Promise<Record<string, { objects: number; sync_ms: number; rss_growth_mib: number; heap_growth_mib: number }>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--informer-child', natsUrl, prefix, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`informer child exited ${code}: ${out}`))));
  });
}

interface FanOut { watchers: number; events: number; delivered: number; p50_ms: number; p99_ms: number; write_p99_ms: number; raw_p50_ms: number; raw_p99_ms: number; raw_delivered: number }
interface WatchSide { delivered: number; p50: number; p99: number }

const SENT = 'scale.kjobs.dev/sent';

/**
 * The watchers (this file with --watch-child): `watchers` NATS connections in their own process,
 * each a NatsClient watch on pods from `rv` (mode kjobs) or a plain subscription to `subject` that
 * decodes the same watch message (mode raw). Latency = arrival − the sender's wall clock (the pod's
 * SENT annotation, or the message's `t` header). Prints "ready", then the summary once `expected`
 * deliveries arrived or 20 s after "done" on stdin.
 */
async function watchChild(): Promise<void> {
  const [natsUrl, prefix, token, w, mode, arg, expected] = process.argv.slice(process.argv.indexOf('--watch-child') + 1);
  const conns = await Promise.all(Array.from({ length: Number(w) }, () => connectBus({ url: natsUrl! })));
  const lat: number[] = [];
  let finish = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const got = (ms: number) => {
    lat.push(ms);
    if (lat.length >= Number(expected)) finish();
  };
  const handles: { stop(): void }[] = [];
  for (const nc of conns) {
    if (mode === 'kjobs') {
      handles.push(new NatsClient({ nc, prefix, token }).watch<Pod>('Pod', { namespace: NS, resourceVersion: arg }, (ev) => {
        const sent = ev.type === 'ADDED' ? ev.object.metadata.annotations?.[SENT] : undefined;
        if (sent) got(nowMs() - Number(sent));
      }));
    } else {
      const sub = nc.subscribe(arg!, {
        callback: (_e, m) => {
          if (decodeWatchMessage(m.data).object.metadata.name) got(nowMs() - Number(m.headers?.get('t') ?? 0));
        },
      });
      handles.push({ stop: () => sub.unsubscribe() });
    }
  }
  await Promise.all(conns.map((c) => c.flush()));
  await sleep(mode === 'kjobs' ? 500 : 0); // the watches catch up from rv before the writes start
  process.stdout.write('ready\n');
  process.stdin.on('data', (d) => {
    if (String(d).includes('done')) setTimeout(finish, 20_000).unref();
  });
  await finished;
  for (const h of handles) h.stop();
  const s = summarize(lat);
  process.stdout.write(`${JSON.stringify({ delivered: lat.length, p50: s.p50, p99: s.p99 })}\n`);
  await Promise.all(conns.map((c) => c.close()));
  process.exit(0);
}

/** Start a watch child; resolves with its `run(send)` once it is ready. */
async function watchSide(args: string[], send: () => Promise<number[]>): Promise<{ side: WatchSide; writes: number[] }> {
  const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--watch-child', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let ready = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  p.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ready\n')) ready();
  });
  const exited = new Promise<WatchSide>((resolve, reject) => p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as WatchSide) : reject(new Error(`watch child exited ${code}: ${out}`)))));
  await Promise.race([isReady, exited]);
  const writes = await send();
  p.stdin.write('done\n');
  return { side: await exited, writes };
}

/**
 * `watchers` watchers on pods in a child process while this process creates pods at WATCH_RATE/s
 * over NATS (batches of WATCH_BATCH); then the same watchers as raw NATS subscribers while this process publishes the same
 * watch message (same bytes) at the same rate.
 */
async function fanOut(natsUrl: string, prefix: string, token: string, client: NatsClient, nc: NatsConnection, watchers: number): Promise<FanOut> {
  const n = WATCH_RATE * WATCH_SECONDS;
  const rv = (await client.list('Pod', { namespace: NS, limit: 1 })).metadata.resourceVersion!;
  let sample: Pod | undefined;
  // 1,000 creates/s as 20 batches of 50 a second (the NATS batch verb): one create at a time cannot
  // reach 1,000/s on a loaded 2-core machine, and the watch would then measure the writer's queue.
  const k = await watchSide([natsUrl, prefix, token, String(watchers), 'kjobs', rv, String(n * watchers)], () => paced(n / WATCH_BATCH, WATCH_RATE / WATCH_BATCH, async (b) => {
    const pods = Array.from({ length: WATCH_BATCH }, (_, j) => {
      const pod = finishedPod(`w${watchers}-${b * WATCH_BATCH + j}`, b * WATCH_BATCH + j);
      pod.metadata.annotations = { [SENT]: String(nowMs()) };
      return pod;
    });
    const res = await client.createMany('Pod', pods);
    const bad = res.find((r) => r instanceof Error);
    if (bad) throw bad;
    sample ??= res[0] as Pod;
  }));
  const subject = `${prefix}.scale.raw`;
  const payload = encodeJson({ type: 'ADDED', rv: '1', prev: '0', object: sample });
  const raw = await watchSide([natsUrl, prefix, token, String(watchers), 'raw', subject, String(n * watchers)], async () => {
    await paced(n, WATCH_RATE, async () => {
      const h = natsHeaders();
      h.set('t', String(nowMs()));
      nc.publish(subject, payload, { headers: h });
    });
    await nc.flush();
    return [];
  });
  return { watchers, events: n, delivered: k.side.delivered, p50_ms: k.side.p50, p99_ms: k.side.p99, write_p99_ms: summarize(k.writes).p99, raw_p50_ms: raw.side.p50, raw_p99_ms: raw.side.p99, raw_delivered: raw.side.delivered };
}

interface JobRun {
  mode: 'Indexed' | 'NonIndexed'; completions: number; wall_s: number; pods_per_s: number; succeeded: number;
  rate: { t_s: number; per_s: number }[]; rate_by_quarter: number[];
  job_bytes: number; completed_indexes_bytes: number;
  jc_cpu_ms_per_pod: { start: number; end: number };
  api_rss_mib: number; redis_used_mib: number;
}

async function runJob(size: number, api: HttpClient, cluster: Cluster, redis: Redis, completions: number, indexed: boolean): Promise<JobRun> {
  const name = indexed ? 'big-indexed' : 'big-nonindexed';
  const jcPid = () => cluster.procs.get('job-controller')!.pid!;
  let last: Job | undefined;
  let done = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const samples: { t_s: number; done: number; cost: number }[] = [];
  let t0 = performance.now();
  const sample = (): void => void samples.push({ t_s: (performance.now() - t0) / 1000, done: last?.status?.succeeded ?? 0, cost: readProc(jcPid()).cpuSec });
  const rv = (await api.list('Job', { namespace: NS, limit: 1 })).metadata.resourceVersion;
  const watch = api.watch<Job>('Job', { namespace: NS, resourceVersion: rv }, (ev: WatchEvent<Job>) => {
    if (ev.object.metadata.name !== name) return;
    const before = last?.status?.succeeded ?? 0;
    last = ev.object;
    if ((last.status?.succeeded ?? 0) !== before) sample();
    if (ev.object.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) done();
  });
  t0 = performance.now();
  sample();
  await api.create('Job', benchJob(name, completions, indexed));
  const stop = progress(`scale ${size} job ${indexed ? 'Indexed' : 'NonIndexed'}`, () => `${last?.status?.succeeded ?? 0}/${completions} succeeded, ${last?.status?.active ?? 0} active`, 10_000);
  const limitMs = Math.max(300_000, completions * 100);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([finished, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`Job ${name} not finished after ${limitMs / 1000} s`)), limitMs)))]);
  } finally {
    clearTimeout(timer);
    stop();
    watch.stop();
  }
  sample();
  const wall = (performance.now() - t0) / 1000;
  const job = await api.get<Job>('Job', NS, name);
  // The curve in 5-second steps (the watch samples every status write).
  const steps: typeof samples = [];
  for (const x of samples) if (!steps.length || x.t_s - steps.at(-1)!.t_s >= 5 || x === samples.at(-1)) steps.push(x);
  const rate = rateSeries(steps);
  const cpu = costAtEnds(samples.map((s) => ({ done: s.done, cost: s.cost })), completions);
  return {
    mode: indexed ? 'Indexed' : 'NonIndexed', completions, wall_s: round(wall), pods_per_s: round(completions / wall), succeeded: job.status?.succeeded ?? 0,
    rate: rate.map((r) => ({ t_s: round(r.t_s, 1), per_s: round(r.per_s, 1) })),
    rate_by_quarter: quarterRates(samples, completions).map((r) => round(r, 1)),
    job_bytes: JSON.stringify(job).length, completed_indexes_bytes: (job.status?.completedIndexes ?? '').length,
    jc_cpu_ms_per_pod: { start: round(cpu.start * 1000, 3), end: round(cpu.end * 1000, 3) },
    api_rss_mib: round(readProc(cluster.procs.get('api-server')!.pid!).rssMiB), redis_used_mib: round(mib(await redisUsed(redis))),
  };
}

interface CronRun { cronjobs: number; minutes: number; expected: number; seen: number; p50_ms: number; p99_ms: number; max_ms: number; baseline_p99_ms: number; per_minute: { boundary: string; jobs: number; p99_ms: number }[] }

async function runCron(size: number, api: HttpClient, nats: NatsClient, count: number, minutes: number): Promise<CronRun> {
  const seen = new Map<string, { minute: number; lateMs: number }>();
  let all = () => {};
  const rv = (await api.list('Job', { namespace: NS, limit: 1 })).metadata.resourceVersion;
  const watch = nats.watch<Job>('Job', { namespace: NS, resourceVersion: rv }, (ev) => {
    const t = nowMs();
    const at = ev.object.metadata.annotations?.[SCHEDULED];
    if (ev.type !== 'ADDED' || !at || seen.has(ev.object.metadata.name!)) return;
    const scheduled = Date.parse(at);
    seen.set(ev.object.metadata.name!, { minute: scheduled, lateMs: t - scheduled });
    if (seen.size >= count * minutes) all();
  });
  try {
    if (60_000 - (nowMs() % 60_000) < 20_000) await sleep(60_000 - (nowMs() % 60_000) + 1000);
    await createAll(nats, 'CronJob', count, cronJob, 4);
    const first = Math.ceil(nowMs() / 60_000) * 60_000;
    const boundaries = Array.from({ length: minutes }, (_, k) => first + k * 60_000);
    const base = baselineTimers(boundaries, Math.min(count, 1000));
    const stop = progress(`scale ${size} cron`, () => `${seen.size}/${count * minutes} Jobs created`, 10_000);
    await Promise.race([new Promise<void>((r) => (all = r)), sleep(boundaries.at(-1)! + 60_000 - nowMs())]).finally(stop);
    const baseline = summarize(await base);
    const late = [...seen.values()].filter((s) => boundaries.includes(s.minute));
    const s = summarize(late.map((x) => x.lateMs));
    return {
      cronjobs: count, minutes, expected: count * minutes, seen: late.length, p50_ms: round(s.p50), p99_ms: round(s.p99), max_ms: round(s.max), baseline_p99_ms: round(baseline.p99, 3),
      per_minute: boundaries.map((b) => ({ boundary: new Date(b).toISOString(), jobs: late.filter((x) => x.minute === b).length, p99_ms: round(summarize(late.filter((x) => x.minute === b).map((x) => x.lateMs)).p99) })),
    };
  } finally {
    watch.stop();
  }
}

const SERVICES = ['api-server', 'job-controller', 'scheduler', 'kubelet-agent-node-1', 'kubelet-agent-node-2'];
const rssOf = (c: Cluster) => Object.fromEntries(SERVICES.map((s) => [s, readProc(c.procs.get(s)!.pid!).rssMiB]));

async function runSize(size: number, args: ScaleArgs): Promise<Record<string, unknown>> {
  const loadBefore = load();
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-scale-'));
  // fsync everysec (compose's setting): `always` would measure the disk, not the store.
  const infra = await startOwnedInfra(home, { appendfsync: 'everysec' });
  const prefix = `scale${randomBytes(3).toString('hex')}`;
  let cluster: Cluster | undefined;
  let nc: NatsConnection | undefined;
  const redis = new Redis(infra.redis.url);
  let api: HttpClient | undefined;
  try {
    log(size, `starting a cluster on redis ${infra.redis.url}, nats ${infra.nats.url} (home ${home})`);
    cluster = await startCluster({
      home, redisUrl: infra.redis.url, natsUrl: infra.nats.url, apiPort: await freePort(), storePrefix: prefix, subjectPrefix: prefix,
      without: ['memq'], nodes: 2, localRegistry: 'off',
      env: { KJOBS_RUNTIME: 'process', KJOBS_POD_NETWORK: 'off', LOG_LEVEL: 'warn' }, nodeEnv: () => ({ KJOBS_NODE_PODS: String(PARALLELISM) }),
    });
    const kc = readKubeconfig(home);
    api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca, timeoutMs: 120_000 });
    const http = api;
    await until('2 nodes Ready', async () => (await http.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= 2, 120_000);
    nc = await connectBus({ url: infra.nats.url });
    const nats = new NatsClient({ nc, prefix, token: kc.token, timeoutMs: 120_000 });
    const apiPid = cluster.procs.get('api-server')!.pid!;
    await sleep(2000);

    // 1. Store N finished pods, then N suspended Jobs.
    const rss0 = rssOf(cluster);
    const used0 = await redisUsed(redis);
    const log0 = await changeLogBytes(redis, prefix);
    let created = 0;
    let statused = 0;
    let stop = progress(`scale ${size} store`, () => `${created}/${size} pods created, ${statused}/${size} Succeeded`);
    const createMs = await createAll(nats, 'Pod', size, (i) => {
      created++;
      return finishedPod(`p-${i}`, i);
    });
    const statusMs = await inFlight(size, 256, async (i) => {
      await nats.patch('Pod', NS, `p-${i}`, 'merge', { status: finishedStatus(i) }, { subresource: 'status' });
      statused++;
    });
    stop();
    await sleep(1000);
    const used1 = await redisUsed(redis);
    const log1 = await changeLogBytes(redis, prefix);
    const stored = await http.get<Pod>('Pod', NS, 'p-1');
    const podJson = JSON.stringify(stored).length;
    const objKey = `{${prefix}}:o:pods:${NS}/p-1`;
    const objBytes = Number(await redis.call('MEMORY', 'USAGE', objKey, 'SAMPLES', '0'));
    const logLen = await redis.xlen(`{${prefix}}:log:pods`);
    const logBytes = Number(await redis.call('MEMORY', 'USAGE', `{${prefix}}:log:pods`, 'SAMPLES', '0'));
    log(size, `pods stored: ${((size / (createMs + statusMs)) * 1000).toFixed(0)} pods/s (create ${((size / createMs) * 1000).toFixed(0)}/s, status ${((size / statusMs) * 1000).toFixed(0)}/s); Redis +${mib(used1 - used0).toFixed(1)} MiB`);

    let jobsSuspended = 0;
    const suspendedSeen = new Set<string>();
    const jrv = (await http.list('Job', { namespace: NS, limit: 1 })).metadata.resourceVersion;
    const jw = nats.watch<Job>('Job', { namespace: NS, resourceVersion: jrv }, (ev) => {
      if (ev.object.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True') && !suspendedSeen.has(ev.object.metadata.name!)) {
        suspendedSeen.add(ev.object.metadata.name!);
        jobsSuspended++;
      }
    });
    created = 0;
    stop = progress(`scale ${size} store`, () => `${created}/${size} Jobs created, ${jobsSuspended} marked Suspended by the job-controller`);
    const tj = performance.now();
    const jobsMs = await createAll(nats, 'Job', size, (i) => {
      created++;
      return suspendedJob(`j-${i}`);
    });
    await until(`${size} Jobs marked Suspended`, () => jobsSuspended >= size, Math.max(120_000, size * 30)).catch((e: Error) => log(size, `${e.message}: ${jobsSuspended} marked; going on`));
    const jcSettleS = (performance.now() - tj) / 1000;
    stop();
    jw.stop();
    await sleep(1000);
    const used2 = await redisUsed(redis);
    const log2 = await changeLogBytes(redis, prefix);
    const jobJson = JSON.stringify(await http.get<Job>('Job', NS, 'j-1')).length;
    const rss1 = rssOf(cluster);

    // 2. Lists.
    log(size, 'listing all pods over HTTPS and NATS');
    await pagedList(http, 'Pod', 500); // warm
    const listHttp = await measuredList(http, apiPid);
    const listNats = await measuredList(nats, apiPid);
    const listFloorMs = await redisListFloor(redis, prefix);

    // 3. Informers.
    log(size, 'informer child: sync pods and Jobs');
    const informer = await runInformerChild(infra.nats.url, prefix, kc.token);

    // 4. Watch fan-out.
    const fan: FanOut[] = [];
    for (const w of WATCHERS) {
      log(size, `watch fan-out: ${w} watchers at ${WATCH_RATE} creates/s`);
      fan.push(await fanOut(infra.nats.url, prefix, kc.token, nats, nc, w));
    }

    // 5. Big Jobs.
    const completions = args.jobCompletions ?? size;
    const jobs: JobRun[] = [];
    for (const indexed of [true, false]) jobs.push(await runJob(size, http, cluster, redis, completions, indexed));

    // 6. CronJobs.
    const minutes = args.cronMinutes ?? (size === SIZES[0] ? 1 : 3);
    const cron = await runCron(size, http, nats, Math.max(1, Math.floor(size / 10)), minutes);

    const perPod = (used1 - used0) / size;
    const perJob = (used2 - used1) / size;
    // At rest: without the change log, which keeps a change for KJOBS_WATCH_RETENTION_SECONDS (300) at most.
    const perPodRest = (used1 - used0 - (sum(log1) - sum(log0))) / size;
    const perJobRest = (used2 - used1 - (sum(log2) - sum(log1))) / size;
    const logEntry = logBytes / Math.max(1, logLen);
    const informerPer1000 = (k: 'Pod' | 'Job') => (informer[k]!.rss_growth_mib * 1000) / Math.max(1, informer[k]!.objects);
    const svcGrowth = Object.fromEntries(SERVICES.map((s) => [s, round(((rss1[s]! - rss0[s]!) * 1000) / (2 * size), 3)]));
    const targets = { redis_bytes_per_finished_pod: 3584, list_100k_s: 2, list_rss_growth_mib: 100 };
    const listTarget = (ms: number) => (ms / 1000) * (100_000 / size);

    console.log(`\nscale benchmark — ${size} finished pods and ${size} suspended Jobs stored; Jobs of ${completions} completions (parallelism ${PARALLELISM}); ${cron.cronjobs} CronJobs over ${minutes} boundar${minutes === 1 ? 'y' : 'ies'}`);
    printTable([
      ['metric', 'kjobs', 'floor / baseline', 'ratio', 'target', 'met'],
      ['Redis bytes per finished pod at rest (used_memory delta − change logs, ÷ N)', Math.round(perPodRest), `${podJson} (the pod's JSON)`, perPodRest / podJson, '<= 3584', perPodRest <= 3584 ? 'yes' : 'NO'],
      ['  of which the object hash (MEMORY USAGE)', objBytes, '', '', '', ''],
      ['  with its 2 changes still in the log (create, status)', Math.round(perPod), '', perPod / podJson, '', ''],
      ['Redis bytes per suspended Job at rest (incl. its Suspended Event)', Math.round(perJobRest), `${jobJson} (the Job's JSON)`, perJobRest / jobJson, '', ''],
      ['  with its changes still in the logs', Math.round(perJob), '', perJob / jobJson, '', ''],
      [`Redis bytes per change-log entry (pods log, ${logLen} entries)`, Math.round(logEntry), '', '', '', ''],
      ['pods stored per s (create + status)', (size / (createMs + statusMs)) * 1000, '', '', '', ''],
      [`list all pods, HTTPS, limit 500 (${listHttp.items} in ${listHttp.pages} pages), s`, listHttp.ms / 1000, listFloorMs / 1000, listHttp.ms / listFloorMs, `<= ${(2 * size) / 100_000} s (2 s per 100k)`, listTarget(listHttp.ms) <= 2 ? 'yes' : 'NO'],
      ['  api-server peak RSS growth, MiB', listHttp.rss_growth_mib, '', '', '<= 100', listHttp.rss_growth_mib <= 100 ? 'yes' : 'NO'],
      [`list all pods, NATS, limit 500 (${listNats.items}), s`, listNats.ms / 1000, listFloorMs / 1000, listNats.ms / listFloorMs, `<= ${(2 * size) / 100_000} s`, listTarget(listNats.ms) <= 2 ? 'yes' : 'NO'],
      ['  api-server peak RSS growth, MiB', listNats.rss_growth_mib, '', '', '<= 100', listNats.rss_growth_mib <= 100 ? 'yes' : 'NO'],
      [`informer (child) pods: sync s, RSS MiB per 1,000`, `${(informer.Pod!.sync_ms / 1000).toFixed(2)} s, ${informerPer1000('Pod').toFixed(2)}`, `list ${(listNats.ms / 1000).toFixed(2)} s`, '', '', ''],
      [`informer (child) Jobs: sync s, RSS MiB per 1,000`, `${(informer.Job!.sync_ms / 1000).toFixed(2)} s, ${informerPer1000('Job').toFixed(2)}`, '', '', '', ''],
      [`job-controller: ${jobsSuspended} of ${size} suspended Jobs marked, s`, jcSettleS, '', '', '', ''],
      ...fan.map((f) => [`watch p99 ms, ${f.watchers} watcher(s), ${WATCH_RATE} creates/s (${f.delivered}/${f.events * f.watchers}; batch create p99 ${f.write_p99_ms.toFixed(0)} ms)`, f.p99_ms, f.raw_p99_ms, f.p99_ms / f.raw_p99_ms, '', '']),
      ...jobs.map((j) => [`Job ${j.mode} ${j.completions}: pods/s (by quarter of completions)`, `${j.pods_per_s} (${j.rate_by_quarter.join(' → ')})`, '', j.rate_by_quarter[3]! / j.rate_by_quarter[1]!, 'flat: q4 ÷ q2 ≈ 1', '']),
      ...jobs.map((j) => [`Job ${j.mode}: object bytes (completedIndexes)`, `${j.job_bytes} (${j.completed_indexes_bytes})`, '', '', '', '']),
      ...jobs.map((j) => [`Job ${j.mode}: job-controller CPU ms per pod, first → last 10 %`, `${j.jc_cpu_ms_per_pod.start} → ${j.jc_cpu_ms_per_pod.end}`, '', j.jc_cpu_ms_per_pod.end / j.jc_cpu_ms_per_pod.start, '', '']),
      ...jobs.map((j) => [`after Job ${j.mode}: api-server RSS MiB, Redis used MiB`, `${j.api_rss_mib}, ${j.redis_used_mib}`, '', '', '', '']),
      [`CronJob creation lateness p99 ms (${cron.seen}/${cron.expected})`, cron.p99_ms, cron.baseline_p99_ms, cron.p99_ms / cron.baseline_p99_ms, '<= 1000', cron.p99_ms <= 1000 && cron.seen === cron.expected ? 'yes' : 'NO'],
    ]);
    console.log('\nservice RSS growth while the pods and Jobs were written, MiB per 1,000 objects:');
    printTable([['service', 'MiB before', 'MiB after', 'per 1,000'], ...SERVICES.map((s) => [s, rss0[s]!, rss1[s]!, svcGrowth[s]!])]);

    return {
      bench: 'scale', size, machine: { ...machine(), loadavg_before: loadBefore, loadavg_after: load() },
      store: {
        redis_bytes_per_finished_pod: Math.round(perPodRest), redis_bytes_per_finished_pod_with_log: Math.round(perPod), pod_json_bytes: podJson, pod_hash_bytes: objBytes,
        redis_bytes_per_job: Math.round(perJobRest), redis_bytes_per_job_with_log: Math.round(perJob), job_json_bytes: jobJson, redis_used_mib: round(mib(used2)),
        change_log_entry_bytes: Math.round(logEntry), change_log_entries: logLen,
        pods_per_s: round((size / (createMs + statusMs)) * 1000), jobs_per_s: round((size / jobsMs) * 1000), job_controller_suspended_s: round(jcSettleS), job_controller_suspended: jobsSuspended,
      },
      list: {
        https: { s: round(listHttp.ms / 1000, 3), items: listHttp.items, api_rss_growth_mib: round(listHttp.rss_growth_mib) },
        nats: { s: round(listNats.ms / 1000, 3), items: listNats.items, api_rss_growth_mib: round(listNats.rss_growth_mib) },
        floor_redis_s: round(listFloorMs / 1000, 3), rss_method: listHttp.rss_method,
      },
      informer: { source: 'child process with @kjobs/client Informer over NATS', pods: informer.Pod, jobs: informer.Job, pods_rss_mib_per_1000: round(informerPer1000('Pod'), 3), jobs_rss_mib_per_1000: round(informerPer1000('Job'), 3) },
      services_rss_mib_per_1000_objects: svcGrowth,
      watch: fan.map((f) => ({ ...f, p50_ms: round(f.p50_ms), p99_ms: round(f.p99_ms), write_p99_ms: round(f.write_p99_ms), raw_p50_ms: round(f.raw_p50_ms, 3), raw_p99_ms: round(f.raw_p99_ms, 3) })),
      jobs, cron,
      targets,
      met: {
        redis_per_pod: perPodRest <= targets.redis_bytes_per_finished_pod,
        list_time_scaled_to_100k: listTarget(listHttp.ms) <= 2 && listTarget(listNats.ms) <= 2,
        list_rss: listHttp.rss_growth_mib <= 100 && listNats.rss_growth_mib <= 100,
        cron_p99: cron.p99_ms <= 1000 && cron.seen === cron.expected,
      },
    };
  } finally {
    await api?.close().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    redis.disconnect();
    await cluster?.stop().catch((e: Error) => log(size, `stop: ${e.message}`));
    await infra.stop();
    if (!process.env.BENCH_KEEP_HOME) rmSync(home, { recursive: true, force: true });
  }
}

export async function run(argv = process.argv.slice(3)): Promise<void> {
  let args: ScaleArgs;
  try {
    args = parseScaleArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const results: Record<string, unknown>[] = [];
  for (const size of args.sizes) {
    const t0 = performance.now();
    const result = await runSize(size, args);
    log(size, `done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    emitResult(result as { bench: string } & Record<string, unknown>);
    results.push(result);
  }
  if (results.length < 2) return;
  // How each total grows from size to size: exponent k of total ∝ N^k (1 linear, > 1 worse).
  const figures: [string, (r: Record<string, unknown>) => number][] = [
    ['Redis used by the stored pods and Jobs', (r) => ((r.store as { redis_bytes_per_finished_pod: number; redis_bytes_per_job: number }).redis_bytes_per_finished_pod + (r.store as { redis_bytes_per_job: number }).redis_bytes_per_job) * (r.size as number)],
    ['list all pods over HTTPS, wall', (r) => (r.list as { https: { s: number } }).https.s],
    ['list all pods over NATS, wall', (r) => (r.list as { nats: { s: number } }).nats.s],
    ['informer sync of all pods', (r) => (r.informer as { pods: { sync_ms: number } }).pods.sync_ms],
    ['informer RSS of all pods', (r) => (r.informer as { pods: { rss_growth_mib: number } }).pods.rss_growth_mib],
  ];
  console.log('\ngrowth exponent k (total ∝ N^k) between consecutive sizes: 1 is linear, > 1 worse than linear');
  printTable([['figure', ...results.slice(1).map((r, i) => `${results[i]!.size as number} → ${r.size as number}`)], ...figures.map(([name, f]) => [name, ...growthExponents(results.map((r) => ({ n: r.size as number, v: f(r) }))).map((k) => round(k))])]);
}

if (process.argv.includes('--informer-child')) await informerChild();
else if (process.argv.includes('--watch-child')) await watchChild();
else if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
