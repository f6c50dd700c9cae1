/**
 * `npm run bench -- jobs`: one Job with completions 2,000 and parallelism 100 of `true` pods on a
 * whole cluster of two nodes. Measures wall time (Job created → Complete condition seen through a
 * watch), pods/s, API writes per pod (the api-server's `apiserver_request_total`, write verbs
 * only, before/after, by resource and verb), and the job-controller's CPU seconds and peak RSS
 * (/proc/<pid>/stat and VmHWM), beside the floor measured in the same run: 2,000 `true`
 * processes spawned by this Node process, 100 at a time. Also checks that the Job's `succeeded`
 * equals the number of its pods that really succeeded (each pod counted exactly once).
 *
 * Environment: BENCH_COMPLETIONS (2000), BENCH_PARALLELISM (100), BENCH_TIMEOUT_S (900).
 */
import os from 'node:os';
import type { Job, Pod, WatchEvent } from '@kjobs/api';
import type { HttpClient } from '@kjobs/client';
import { emitResult, machine, printTable, progress } from './support/util.js';
import { startBenchCluster } from './support/bench-cluster.js';
import { spawnFloor } from './support/floors.js';
import { busyPct, cpuJson, cpuRows, load, machineCpu, readAll, readProc, round, selfCpu } from './support/measure.js';

const COMPLETIONS = Number(process.env.BENCH_COMPLETIONS ?? 2000);
const PARALLELISM = Number(process.env.BENCH_PARALLELISM ?? 100);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;

/** Write verbs as the api-server labels them: HTTP methods, and the NATS API verbs. */
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'create', 'update', 'patch', 'delete', 'deletecollection', 'subresource']);

/** `apiserver_request_total` write counts keyed "resource verb" (rejected ones also under "resource verb code"). */
export async function writeCounts(api: HttpClient): Promise<Map<string, number>> {
  const r = await api.raw('GET', '/metrics', undefined, { accept: 'text/plain' });
  if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
  const out = new Map<string, number>();
  for (const line of r.text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!WRITE_VERBS.has(labels.verb ?? '')) continue;
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    const key = `${labels.resource} ${labels.verb}`;
    out.set(key, (out.get(key) ?? 0) + n);
    if (Number(labels.code) >= 400) out.set(`${key} ${labels.code}`, (out.get(`${key} ${labels.code}`) ?? 0) + n);
  }
  return out;
}

/** Counts that grew between two readings, largest first. */
export function diff(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of b) if (v - (a.get(k) ?? 0) > 0) out.set(k, v - (a.get(k) ?? 0));
  return new Map([...out].sort((x, y) => y[1] - x[1]));
}

function benchJob(): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      completions: COMPLETIONS, parallelism: PARALLELISM, backoffLimit: 100,
      template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
    },
  };
}

const finished = (j: Job) => j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

export async function run(): Promise<void> {
  const loadBefore = load();
  const bc = await startBenchCluster({ nodes: 2 });
  let stopWatch = (): void => {};
  try {
    const { api, cluster } = bc;
    const jc = cluster.procs.get('job-controller')!;

    // Warm-up: a small Job through the whole path.
    await api.create('Job', { ...benchJob(), metadata: { name: 'warm', namespace: 'default' }, spec: { ...benchJob().spec, completions: 20, parallelism: 10 } });

    // Floor, with the cluster up (the same background as the measurement).
    await spawnFloor(200, PARALLELISM);
    const fCpu0 = selfCpu();
    const floor = await spawnFloor(COMPLETIONS, PARALLELISM);
    const floorCpu = selfCpu() - fCpu0;

    // Watch Jobs (from "0": current ones first); wait for the warm-up Job to finish.
    let last: Job | undefined;
    let doneAt: number | undefined;
    let notify = () => {};
    const warmDone = new Promise<void>((resolve) => {
      const watch = api.watch<Job>('Job', { namespace: 'default', resourceVersion: '0' }, (ev: WatchEvent<Job>) => {
        if (ev.object.metadata.name === 'warm' && finished(ev.object)) resolve();
        if (ev.object.metadata.name !== 'bench') return;
        last = ev.object;
        if (finished(ev.object) && doneAt === undefined) {
          doneAt = performance.now();
          notify();
        }
      });
      stopWatch = () => watch.stop();
    });
    await withTimeout(warmDone, 120_000, 'warm-up Job');

    const writes0 = await writeCounts(api);
    const cpu0 = readAll(cluster);
    const m0 = machineCpu();
    const t0 = performance.now();
    const complete = new Promise<void>((resolve) => (notify = resolve));
    await api.create('Job', benchJob());
    const stopProgress = progress('jobs', () => `${last?.status?.succeeded ?? 0}/${COMPLETIONS} succeeded, ${last?.status?.active ?? 0} active`);
    await withTimeout(complete, TIMEOUT_MS, `Job completions=${COMPLETIONS}`).finally(stopProgress);
    const wallMs = doneAt! - t0;
    const cpu1 = readAll(cluster);
    const busy = busyPct(m0, machineCpu());
    // Writes that belong to these pods may land just after Complete (finalizers of the last pods): settle 2 s.
    await new Promise((r) => setTimeout(r, 2000));
    const writes = diff(writes0, await writeCounts(api));
    stopWatch();
    const jcNow = readProc(jc.pid!);

    const job = last!;
    // Exactly-once check: the pods that really ran, against what the Job counted.
    const pods = (await api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'batch.kubernetes.io/job-name=bench' })).items;
    const podsSucceeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const exact = podsSucceeded === (job.status?.succeeded ?? -1) && (job.status?.succeeded ?? 0) === COMPLETIONS;
    const isRejected = (k: string) => k.split(' ').length === 3;
    const totalWrites = [...writes].filter(([k]) => !isRejected(k)).reduce((a, [, b]) => a + b, 0);
    const rejected = [...writes].filter(([k]) => isRejected(k)).reduce((a, [, b]) => a + b, 0);
    const podsPerSec = (COMPLETIONS / wallMs) * 1000;
    const floorPerSec = (COMPLETIONS / floor.wallMs) * 1000;
    const cpu = cpuJson(cpu0, cpu1);
    const jcCpu = cpu['job-controller']!.cpu_s;
    const clusterCpu = Object.entries(cpu).filter(([k]) => !k.includes('(shared)')).reduce((a, [, v]) => a + v.cpu_s + v.children_cpu_s, 0);

    console.log(`jobs benchmark — one Job, completions ${COMPLETIONS}, parallelism ${PARALLELISM}, pods running \`true\`, 2 nodes; floor: ${COMPLETIONS} \`true\` spawned by Node, ${PARALLELISM} at a time`);
    printTable([
      ['metric', 'kjobs', 'floor', 'ratio', 'target', 'met'],
      ['wall s (Job created → Complete seen | all exited)', wallMs / 1000, floor.wallMs / 1000, wallMs / floor.wallMs, '', ''],
      ['pods/s', podsPerSec, floorPerSec, podsPerSec / floorPerSec, '>= 0.7 x floor', podsPerSec >= 0.7 * floorPerSec ? 'yes' : 'NO'],
      ['API writes per pod (all codes)', totalWrites / COMPLETIONS, '', '', '', ''],
      ['  of which rejected (409 Conflict etc.) per pod', rejected / COMPLETIONS, '', '', '', ''],
      ['job-controller CPU s', jcCpu, '', '', '', ''],
      ['job-controller CPU ms per pod', (1000 * jcCpu) / COMPLETIONS, '', '', '', ''],
      ['job-controller peak RSS MiB (VmHWM)', jcNow.peakRssMiB, '', '', '', ''],
      ['CPU ms per pod (cluster incl. children | Node spawner incl. children)', (1000 * clusterCpu) / COMPLETIONS, (1000 * floorCpu) / COMPLETIONS, clusterCpu / floorCpu, '', ''],
    ]);
    console.log(`\nJob status: succeeded ${job.status?.succeeded ?? 0}, failed ${job.status?.failed ?? 0}, condition ${finished(job)?.type}; pods of the Job: ${pods.length}, Succeeded ${podsSucceeded} — ${exact ? 'each pod counted exactly once' : 'COUNT MISMATCH'}`);
    console.log('\nAPI writes during the run, by resource and verb, all codes; indented: the rejected ones by code (per pod):');
    const rows = [...writes].filter(([k]) => !isRejected(k)).flatMap(([k, v]) => [[k, v], ...[...writes].filter(([r]) => isRejected(r) && r.startsWith(`${k} `)).map(([r, n]) => [`  ${r}`, n])] as [string, number][]);
    printTable([['resource verb', 'writes', 'per pod'], ...rows.map(([k, v]) => [k, v, v / COMPLETIONS]), ['total', totalWrites, totalWrites / COMPLETIONS]]);
    console.log(`\nCPU during the run (wall ${(wallMs / 1000).toFixed(1)} s; machine busy ${busy.toFixed(0)} % of ${os.cpus().length} cores, all tenants):`);
    printTable(cpuRows(cpu0, cpu1, wallMs / 1000));

    const result = {
      bench: 'jobs', machine: { ...machine(), loadavg_before: loadBefore, loadavg_after: load(), busy_pct_during_run: round(busy) },
      completions: COMPLETIONS, parallelism: PARALLELISM, nodes: 2,
      wall_s: round(wallMs / 1000), pods_per_s: round(podsPerSec),
      job: { succeeded: job.status?.succeeded ?? 0, failed: job.status?.failed ?? 0, condition: finished(job)?.type, pods: pods.length, pods_succeeded: podsSucceeded, counted_exactly_once: exact },
      api_writes_per_pod: round(totalWrites / COMPLETIONS, 3), api_writes_total: totalWrites, api_writes_rejected: rejected,
      api_writes: Object.fromEntries(writes),
      job_controller: { cpu_s: jcCpu, cpu_ms_per_pod: round((1000 * jcCpu) / COMPLETIONS, 3), peak_rss_mib: round(jcNow.peakRssMiB) },
      cpu_ms_per_pod: round((1000 * clusterCpu) / COMPLETIONS),
      floor: { wall_s: round(floor.wallMs / 1000), procs_per_s: round(floorPerSec), cpu_ms_per_proc: round((1000 * floorCpu) / COMPLETIONS) },
      ratio_pods_per_s: round(podsPerSec / floorPerSec, 3),
      targets: { pods_per_s_ratio: 0.7 },
      met: { pods_per_s: podsPerSec >= 0.7 * floorPerSec },
      cpu,
    };
    emitResult(result);
  } finally {
    stopWatch();
    await bc.stop();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_r, reject) => (t = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run();
