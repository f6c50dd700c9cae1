/**
 * `npm run bench -- cron`: 200 CronJobs on `*∕1 * * * *` (each Job one `true` pod) for
 * BENCH_CRON_MINUTES minute boundaries on a whole cluster of two nodes. Measures the lateness of
 * each Job's creation and the job-controller's CPU seconds, beside the baseline measured in the
 * same run: plain Node `setTimeout`s (200 per boundary) aimed at the same minute boundaries.
 *
 * Lateness = local receive time of the Job's ADDED event on a watch − the scheduled time in its
 * `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation. (`metadata.creationTimestamp` has
 * one-second precision, so it cannot measure sub-second lateness; the watch adds its own delivery
 * delay, so this is an upper bound.)
 *
 * Environment: BENCH_CRON_MINUTES (3), BENCH_CRONJOBS (200).
 */
import os from 'node:os';
import type { CronJob, Job, WatchEvent } from '@kjobs/api';
import { emitResult, inFlight, machine, printTable, progress, summarize } from './support/util.js';
import { startBenchCluster } from './support/bench-cluster.js';
import { busyPct, cpuJson, cpuRows, load, machineCpu, readAll, round } from './support/measure.js';
import { diff, writeCounts } from './jobs.js';

const MINUTES = Number(process.env.BENCH_CRON_MINUTES ?? 3);
const CRONJOBS = Number(process.env.BENCH_CRONJOBS ?? 200);
const SCHEDULED = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** After the last boundary, wait at most this long for its Jobs. */
const GRACE_MS = 60_000;

/** Wall-clock now with sub-millisecond resolution. */
const nowMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function cronJob(i: number): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: `cron-${i}`, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } } } },
    },
  };
}

/** `count` setTimeouts per boundary aimed at each boundary; returns each one's lateness (ms). */
export function baselineTimers(boundaries: number[], count: number): Promise<number[]> {
  const late: number[] = [];
  return Promise.all(boundaries.flatMap((b) => Array.from({ length: count }, () => new Promise<void>((resolve) => {
    setTimeout(() => {
      late.push(nowMs() - b);
      resolve();
    }, b - nowMs());
  })))).then(() => late);
}

export async function run(): Promise<void> {
  const loadBefore = load();
  const bc = await startBenchCluster({ nodes: 2 });
  try {
    const { api, cluster } = bc;
    const seen = new Map<string, { minute: number; lateMs: number }>();
    let allSeen = () => {};
    const watch = api.watch<Job>('Job', { namespace: 'default', resourceVersion: (await api.list<Job>('Job', { namespace: 'default', limit: 1 })).metadata.resourceVersion }, (ev: WatchEvent<Job>) => {
      const t = nowMs();
      const j = ev.object;
      const at = j.metadata.annotations?.[SCHEDULED];
      if (ev.type !== 'ADDED' || !at || seen.has(j.metadata.name!)) return;
      const scheduled = Date.parse(at);
      seen.set(j.metadata.name!, { minute: scheduled, lateMs: t - scheduled });
      if (seen.size >= CRONJOBS * MINUTES) allSeen();
    });

    try {
      // Create the CronJobs well before a boundary, so the first boundary finds every one of them.
      if (60_000 - (nowMs() % 60_000) < 20_000) await sleep(60_000 - (nowMs() % 60_000) + 1000);
      await inFlight(CRONJOBS, 16, (i) => api.create('CronJob', cronJob(i)).then(() => undefined));
      const first = Math.ceil(nowMs() / 60_000) * 60_000;
      const boundaries = Array.from({ length: MINUTES }, (_, k) => first + k * 60_000);
      console.log(`cron benchmark — ${CRONJOBS} CronJobs on */1 created at ${new Date().toISOString()}; boundaries ${new Date(first).toISOString()} … ${new Date(boundaries[MINUTES - 1]!).toISOString()}`);

      const writes0 = await writeCounts(api);
      const cpu0 = readAll(cluster);
      const m0 = machineCpu();
      const t0 = nowMs();
      const base = baselineTimers(boundaries, CRONJOBS);
      const done = new Promise<void>((r) => (allSeen = r));
      const stopProgress = progress('cron', () => `${seen.size}/${CRONJOBS * MINUTES} Jobs created; next boundary in ${Math.max(0, Math.round((boundaries.find((b) => b > nowMs()) ?? nowMs()) - nowMs()) / 1000)} s`, 10_000);
      await Promise.race([done, sleep(boundaries[MINUTES - 1]! + GRACE_MS - nowMs())]).finally(stopProgress);
      const baseline = await base;
      // Let the last minute's Jobs and pods finish before reading CPU, so every run is paid for.
      await sleep(Math.max(0, boundaries[MINUTES - 1]! + 15_000 - nowMs()));
      const wallS = (nowMs() - t0) / 1000;
      const cpu1 = readAll(cluster);
      const writes = diff(writes0, await writeCounts(api));
      const rejected = (k: string) => k.split(' ').length === 3;
      const busy = busyPct(m0, machineCpu());

      const late = [...seen.values()].filter((s) => boundaries.includes(s.minute));
      const writesPerJob = [...writes].filter(([k]) => !rejected(k)).reduce((a, [, n]) => a + n, 0) / Math.max(1, late.length);
      const all = summarize(late.map((s) => s.lateMs));
      const b = summarize(baseline);
      const perMinute = boundaries.map((m) => ({ m, s: summarize(late.filter((x) => x.minute === m).map((x) => x.lateMs)), n: late.filter((x) => x.minute === m).length }));
      const expected = CRONJOBS * MINUTES;
      const cpu = cpuJson(cpu0, cpu1);
      const jcCpu = cpu['job-controller']!.cpu_s;

      printTable([
        ['metric', 'kjobs', 'baseline (setTimeout)', 'ratio', 'target', 'met'],
        ['Job creation lateness p50 ms', all.p50, b.p50, all.p50 / b.p50, '', ''],
        ['Job creation lateness p99 ms', all.p99, b.p99, all.p99 / b.p99, '<= 1000 ms', all.p99 <= 1000 ? 'yes' : 'NO'],
        ['Job creation lateness max ms', all.max, b.max, all.max / b.max, '', ''],
        ['Jobs seen / expected', `${late.length} / ${expected}`, `${baseline.length} / ${expected}`, '', '', ''],
        ['job-controller CPU s', jcCpu, '', '', '', ''],
        ['job-controller CPU ms per scheduled Job (incl. running it)', (1000 * jcCpu) / Math.max(1, late.length), '', '', '', ''],
      ]);
      console.log(`\nAPI writes per scheduled Job (the Job, its pod, their statuses, events, history deletes): ${writesPerJob.toFixed(2)}`);
      printTable([['resource verb', 'writes', 'per Job'], ...[...writes].map(([k, n]) => [rejected(k) ? `  ${k}` : k, n, n / Math.max(1, late.length)])]);
      console.log('\nper minute boundary:');
      printTable([['boundary', 'Jobs seen', 'p50 ms', 'p99 ms', 'max ms'], ...perMinute.map(({ m, s, n }) => [new Date(m).toISOString(), n, s.p50, s.p99, s.max])]);
      console.log(`\nCPU over the run (wall ${wallS.toFixed(0)} s, ${MINUTES} boundaries; machine busy ${busy.toFixed(0)} % of ${os.cpus().length} cores, all tenants):`);
      printTable(cpuRows(cpu0, cpu1, wallS));

      const result = {
        bench: 'cron', machine: { ...machine(), loadavg_before: loadBefore, loadavg_after: load(), busy_pct_during_run: round(busy) },
        cronjobs: CRONJOBS, minutes: MINUTES, jobs_expected: expected, jobs_seen: late.length,
        lateness_ms: { p50: round(all.p50), p99: round(all.p99), max: round(all.max) },
        lateness_per_minute_ms: perMinute.map(({ m, s, n }) => ({ boundary: new Date(m).toISOString(), jobs: n, p50: round(s.p50), p99: round(s.p99), max: round(s.max) })),
        baseline_settimeout_ms: { p50: round(b.p50, 3), p99: round(b.p99, 3), max: round(b.max, 3) },
        api_writes_per_job: round(writesPerJob), api_writes: Object.fromEntries(writes),
        job_controller: { cpu_s: jcCpu, cpu_ms_per_job: round((1000 * jcCpu) / Math.max(1, late.length)), peak_rss_mib: cpu['job-controller']!.peak_rss_mib },
        wall_s: round(wallS),
        targets: { lateness_p99_ms: 1000 },
        met: { lateness_p99: all.p99 <= 1000 && late.length === expected },
        cpu,
      };
      emitResult(result);
    } finally {
      watch.stop();
    }
  } finally {
    await bc.stop();
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run();
