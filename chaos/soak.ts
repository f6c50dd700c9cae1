/**
 * `npm run soak`: a steady load for SOAK_MINUTES (default 10) after a warm-up, on its own Redis
 * (AOF everysec, as compose runs it) and NATS, with the whole cluster as processes (two replicas
 * of the elected services, two nodes running pods as processes on the node's network: it soaks
 * the control plane, not runc and CNI). The load is Jobs of 10 `true` pods created at
 * SOAK_PODS_PER_S (default 100) pods/s and deleted by the TTL-after-finished controller
 * (`ttlSecondsAfterFinished: 0`), their pods by the garbage collector.
 *
 * Reports, at the start of the measured window (after the warm-up), every SOAK_SAMPLE_S and at
 * the end: RSS per service, Redis memory (used and RSS), object counts and change-log (stream)
 * lengths; then, once the load stopped and drained, whether the finished Jobs and pods are gone.
 * Targets: RSS and Redis memory grow ≤ 10 % over the window; achieved pods/s ≥ 90 % of the rate;
 * every Job completes; no Job or pod left after the drain. Exit code 0 only when all are met.
 *
 * Steady state: change logs keep KJOBS_WATCH_RETENTION_SECONDS of history and Events live
 * KJOBS_EVENT_TTL_SECONDS (defaults 300 s and 1 h), so Redis grows until the oldest of those ages
 * out. The soak sets both to SOAK_RETENTION_S (120) for its cluster and warms up that long plus
 * 30 s, so the measured window starts in the steady state; with the defaults storage grows for
 * the first hour, bounded by rate × Events per pod × TTL.
 *
 * Environment: SOAK_MINUTES (10), SOAK_RETENTION_S (120), SOAK_WARMUP_S (retention + 30),
 * SOAK_PODS_PER_S (100), SOAK_SAMPLE_S (60), SOAK_COMPLETIONS (10 pods per Job), SOAK_KEEP=1 keeps
 * the run dir, SOAK_OUT (.kjobs/soak/soak-<time>.json: the final report with every sample, as a
 * file; with BENCH_RECORD=1 also bench/results/soak.json, which `npm run charts` draws).
 * Progress: a line on stderr every 10 s, warm-up included.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Job, Namespace, Pod } from '@kjobs/api';
import { startChaosCluster, type ChaosCluster } from './chaos-cluster.js';
import { JobLoad } from './job-load.js';
import { processesUnder, processesWithEnv, rssMiB } from './procs.js';
import { commitOf, progress } from '../bench/support/util.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RETENTION_S = Number(process.env.SOAK_RETENTION_S ?? 120);
const WARMUP_S = Number(process.env.SOAK_WARMUP_S ?? Math.max(60, RETENTION_S + 30));
const RATE = Number(process.env.SOAK_PODS_PER_S ?? 100);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 60);
const COMPLETIONS = Number(process.env.SOAK_COMPLETIONS ?? 10);
const GROWTH_LIMIT = 0.1;
const NS = 'soak';
const RESOURCES = ['pods', 'jobs.batch', 'events', 'leases.coordination.k8s.io', 'nodes'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface Sample {
  t_s: number;
  pods_per_s: number;
  pods_done: number;
  unfinished_jobs: number;
  rss_mib: Record<string, number>;
  redis: { used_mib: number; rss_mib: number; keys: number };
  objects: Record<string, number>;
  streams: Record<string, { entries: number; mib: number }>;
}

async function sample(c: ChaosCluster, redis: Redis, load: JobLoad, t0: number, prev?: Sample): Promise<Sample> {
  const rss: Record<string, number> = {};
  for (const [name, p] of c.cluster.procs) rss[name] = round(rssMiB(p.pid!) ?? NaN);
  rss['redis-server'] = round(rssMiB(c.redis.pid()!) ?? NaN);
  rss['nats-server'] = round(rssMiB(c.nats.pid()!) ?? NaN);
  const info = await redis.info('memory');
  const field = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const objects: Record<string, number> = {};
  const streams: Record<string, { entries: number; mib: number }> = {};
  for (const r of RESOURCES) {
    objects[r] = await redis.zcard(`{kjobs}:i:${r}:all`);
    const entries = await redis.xlen(`{kjobs}:log:${r}`);
    const bytes = entries ? Number(await redis.call('MEMORY', 'USAGE', `{kjobs}:log:${r}`)) : 0;
    streams[r] = { entries, mib: mib(bytes) };
  }
  const t = (Date.now() - t0) / 1000;
  const done = load.podsDone();
  return {
    t_s: Math.round(t), pods_done: done, unfinished_jobs: load.unfinished(),
    pods_per_s: prev ? round((done - prev.pods_done) / (t - prev.t_s)) : 0,
    rss_mib: rss, redis: { used_mib: mib(field('used_memory')), rss_mib: mib(field('used_memory_rss')), keys: await redis.dbsize() },
    objects, streams,
  };
}

function printSample(s: Sample, label: string): void {
  const rss = Object.entries(s.rss_mib).map(([k, v]) => `${k} ${v}`).join(', ');
  const st = Object.entries(s.streams).filter(([, v]) => v.entries).map(([k, v]) => `${k} ${v.entries} (${v.mib} MiB)`).join(', ');
  const ob = Object.entries(s.objects).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`[${label} t=${s.t_s}s] ${s.pods_per_s} pods/s, ${s.pods_done} pods done, ${s.unfinished_jobs} Jobs unfinished | Redis used ${s.redis.used_mib} MiB, rss ${s.redis.rss_mib} MiB, ${s.redis.keys} keys | objects: ${ob} | streams: ${st}\n  RSS MiB: ${rss}`);
}

async function main(): Promise<number> {
  console.log(`soak: ${RATE} pods/s (Jobs of ${COMPLETIONS}, TTL 0) for ${MINUTES} min after a ${WARMUP_S} s warm-up; change-log retention and Event TTL ${RETENTION_S} s; targets: growth ≤ ${GROWTH_LIMIT * 100} %, ≥ 90 % of the rate, nothing left after the drain`);
  const retention = { KJOBS_WATCH_RETENTION_SECONDS: String(RETENTION_S), KJOBS_EVENT_TTL_SECONDS: String(RETENTION_S) };
  // A soak of the control plane: pods as processes on the node's network, as the jobs benchmark
  // runs them. Since the nodes default to OCI containers and the pod network where the machine
  // allows it, a run without these made runc and CNI the limit (10 pods/s achieved, 2026-12-07).
  const c = await startChaosCluster({ tag: 'soak', appendfsync: 'everysec', env: { ...retention, KJOBS_RUNTIME: 'process', KJOBS_POD_NETWORK: 'off' }, nodeEnv: () => ({ KJOBS_NODE_PODS: '1000' }) });
  console.log(`run dir ${c.home}`);
  const redis = new Redis(c.redis.url);
  const problems: string[] = [];
  const samples: Sample[] = [];
  let drained: Record<string, number> = {};
  let stopProgress = () => {};
  const load = new JobLoad(c.api, { namespace: NS, podsPerSecond: RATE, completions: COMPLETIONS, maxUnfinished: Math.max(10, Math.ceil((RATE * 5) / COMPLETIONS)) });
  try {
    await c.waitReady(120_000);
    await c.api.create<Namespace>('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const t0 = Date.now();
    load.start();
    let measuring = false;
    stopProgress = progress('soak', () => `${measuring ? 'measuring' : 'warm-up'}: ${load.podsDone()} pods done, ${load.unfinished()} Jobs unfinished, ${load.counts.failed} failed`, 10_000);
    await sleep(WARMUP_S * 1000);
    measuring = true;
    let prev = await sample(c, redis, load, t0);
    samples.push(prev);
    printSample(prev, 'start');
    const end = Date.now() + MINUTES * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min(SAMPLE_S * 1000, end - Date.now()));
      prev = await sample(c, redis, load, t0, prev);
      samples.push(prev);
      printSample(prev, Date.now() >= end ? 'end' : 'sample');
    }
    load.stopCreating();
    stopProgress();
    // Drain: every Job finished and TTL-deleted, every pod collected.
    const quiet = async () => load.unfinished() === 0 && (await c.api.list<Job>('Job', { namespace: NS })).items.length === 0 && (await c.api.list<Pod>('Pod', { namespace: NS })).items.length === 0;
    const dEnd = Date.now() + 180_000;
    while (Date.now() < dEnd && !(await quiet().catch(() => false))) await sleep(1000);
    drained = {
      jobs: (await c.api.list<Job>('Job', { namespace: NS })).items.length,
      pods: (await c.api.list<Pod>('Pod', { namespace: NS })).items.length,
      // Counted in Redis: listing 100,000+ Events through the API takes longer than a request may.
      events: await redis.zcard(`{kjobs}:i:events:ns:${NS}`),
      pod_dirs: ['node-1', 'node-2'].map((n) => path.join(c.home, 'nodes', n, 'pods')).filter(existsSync).reduce((a, d) => a + readdirSync(d).length, 0),
      pod_processes: processesWithEnv({ HOME: path.join(c.home, 'nodes') + path.sep }).length,
    };
    console.log(`after the drain: ${JSON.stringify(drained)}`);
  } catch (e) {
    problems.push(`soak error: ${(e as Error).stack ?? String(e)}`);
  } finally {
    stopProgress();
    load.close();
    redis.disconnect();
    problems.push(...c.unexpectedExits.map((x) => `service exited on its own: ${x}`));
    await c.stop();
  }
  const left = processesUnder(c.home);
  if (left.length) problems.push(`${left.length} processes left after stop`);

  const first = samples[0];
  const last = samples.at(-1);
  const growth: Record<string, { start: number; end: number; growth_pct: number; second_half_pct: number; met: boolean }> = {};
  let breakdown: Record<string, number> = {};
  if (first && last && samples.length > 1) {
    // The target compares start and end. A single RSS reading of a Node process moves in steps as
    // V8 grows its heap, so the growth over the second half of the window is printed beside it:
    // a plateau there is a settled heap, a steady climb a leak.
    const mid = samples[Math.floor((samples.length - 1) / 2)]!;
    const g = (pick: (x: Sample) => number) => {
      const [a, b, m] = [pick(first), pick(last), pick(mid)];
      return { start: a, end: b, growth_pct: round(((b - a) / a) * 100), second_half_pct: round(((b - m) / m) * 100), met: b <= a * (1 + GROWTH_LIMIT) };
    };
    for (const k of Object.keys(last.rss_mib)) if (first.rss_mib[k] !== undefined) growth[`rss ${k}`] = g((x) => x.rss_mib[k]!);
    growth['redis used_memory'] = g((x) => x.redis.used_mib);
    growth['redis used_memory_rss'] = g((x) => x.redis.rss_mib);
    for (const [k, v] of Object.entries(growth)) if (!v.met) problems.push(`${k} grew ${v.growth_pct} % (${v.start} → ${v.end} MiB; limit ${GROWTH_LIMIT * 100} %)`);
    const window = samples.slice(1);
    const rate = (last.pods_done - first.pods_done) / (last.t_s - first.t_s);
    if (rate < RATE * 0.9) problems.push(`achieved ${round(rate)} pods/s over the window, target ${RATE}`);
    console.log(`\nmeasured window: ${round((last.t_s - first.t_s) / 60)} min, ${last.pods_done - first.pods_done} pods, ${round(rate)} pods/s (per sample: ${window.map((s) => s.pods_per_s).join(', ')})`);
    // Where Redis' growth went: the change logs (streams, capped by entry count) vs the rest.
    const streamMiB = (x: Sample) => Object.values(x.streams).reduce((a, v) => a + v.mib, 0);
    breakdown = {
      redis_used_mib: round(last.redis.used_mib - first.redis.used_mib),
      streams_mib: round(streamMiB(last) - streamMiB(first)),
      other_mib: round(last.redis.used_mib - first.redis.used_mib - (streamMiB(last) - streamMiB(first))),
      events: last.objects.events! - first.objects.events!,
      pods: last.objects.pods! - first.objects.pods!,
      jobs: last.objects['jobs.batch']! - first.objects['jobs.batch']!,
    };
    console.log(`Redis growth: ${JSON.stringify(breakdown)} (objects: change in live count)`);
    console.log('growth over the window (MiB):');
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${x} %`;
    for (const [k, v] of Object.entries(growth)) console.log(`  ${k}: ${v.start} → ${v.end} (${pct(v.growth_pct)}; second half ${pct(v.second_half_pct)}) ${v.met ? 'ok' : 'OVER'}`);
  } else {
    problems.push('no measured window (too short?)');
  }
  if (load.counts.failed) problems.push(`${load.counts.failed} Jobs failed`);
  if (drained.jobs || drained.pods) problems.push(`after the drain ${drained.jobs} Jobs and ${drained.pods} pods remain (TTL / GC did not trim them)`);
  const report = { suite: 'soak', date: new Date().toISOString(), commit: commitOf(), minutes: MINUTES, warmup_s: WARMUP_S, retention_s: RETENTION_S, target_pods_per_s: RATE, sample_s: SAMPLE_S, load: load.counts, samples, growth, redis_growth: breakdown, drained, problems };
  console.log(`\n${JSON.stringify(report)}`);
  writeReport(report);
  if (problems.length) {
    console.log(`\nsoak: FAILED — ${problems.length} problem(s):`);
    for (const p of problems) console.log(`  - ${p}`);
    console.log(`run dir kept: ${c.home}`);
    return 1;
  }
  console.log('\nsoak: PASSED');
  if (!process.env.SOAK_KEEP) rmSync(c.home, { recursive: true, force: true });
  return 0;
}

/** The report as a file (SOAK_OUT), and as the charts' soak data with BENCH_RECORD=1. */
function writeReport(report: { date: string }): void {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const out = process.env.SOAK_OUT ?? path.join(root, '.kjobs', 'soak', `soak-${report.date.replace(/[:.]/g, '-')}.json`);
  const files = [out, ...(process.env.BENCH_RECORD === '1' ? [path.join(root, 'bench', 'results', 'soak.json')] : [])];
  for (const f of files) {
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, `${JSON.stringify(report)}\n`);
  }
  console.log(`report written to ${files.join(' and ')}`);
}

process.exit(await main());
