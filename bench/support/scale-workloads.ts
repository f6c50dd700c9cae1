/** The scale benchmark's timed workloads: a Job of N completions at parallelism 200, and N/10 CronJobs across minute boundaries. (part of bench/scale.ts) */
import { Redis } from 'ioredis';
import type { Job, WatchEvent } from '@kjobs/api';
import { HttpClient, NatsClient } from '@kjobs/client';
import { type Cluster } from '../../scripts/cluster.js';
import { progress, summarize } from './util.js';
import { readProc, round } from './measure.js';
import { costAtEnds, quarterRates, rateSeries } from './scale-math.js';
import { baselineTimers } from '../cron.js';
import { NS, SCHEDULED, benchJob, createAll, cronJob, mib, nowMs, sleep } from './scale-objects.js';
import { redisUsed } from './scale-store.js';

export interface JobRun {
  mode: 'Indexed' | 'NonIndexed'; completions: number; wall_s: number; pods_per_s: number; succeeded: number;
  rate: { t_s: number; per_s: number }[]; rate_by_quarter: number[];
  job_bytes: number; completed_indexes_bytes: number;
  jc_cpu_ms_per_pod: { start: number; end: number };
  api_rss_mib: number; redis_used_mib: number;
}

export async function runJob(size: number, api: HttpClient, cluster: Cluster, redis: Redis, completions: number, indexed: boolean): Promise<JobRun> {
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

export interface CronRun { cronjobs: number; minutes: number; expected: number; seen: number; p50_ms: number; p99_ms: number; max_ms: number; baseline_p99_ms: number; per_minute: { boundary: string; jobs: number; p99_ms: number }[] }

export async function runCron(size: number, api: HttpClient, nats: NatsClient, count: number, minutes: number): Promise<CronRun> {
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

export const SERVICES = ['api-server', 'job-controller', 'scheduler', 'kubelet-agent-node-1', 'kubelet-agent-node-2'];
export const rssOf = (c: Cluster) => Object.fromEntries(SERVICES.map((s) => [s, readProc(c.procs.get(s)!.pid!).rssMiB]));
