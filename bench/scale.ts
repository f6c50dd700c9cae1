/**
 * `npm run bench -- scale [--size 1000|10000|100000] [--job-completions N] [--job-mode Indexed|NonIndexed] [--cron-minutes M]`:
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
 * 5. a Job of N completions (`--job-completions`), Indexed and then NonIndexed (`--job-mode`: one), parallelism 200,
 *    pods running `true`: pods/s over time, the Job object's size, the job-controller's CPU per
 *    pod over the first and the last 10 % of completions, api-server RSS and Redis memory at the end.
 * 6. N/10 CronJobs on `*∕1` whose Jobs are created suspended (creation is what is measured; their
 *    pods would only measure pod throughput again): creation lateness p99 over `--cron-minutes`
 *    boundaries (3; 1 at the smallest size), beside setTimeouts aimed at the same boundaries.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Job, Node, Pod } from '@kjobs/api';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { HttpClient, NatsClient } from '@kjobs/client';
import { startOwnedInfra } from '../chaos/infra.js';
import { freePort } from '../scripts/infra.js';
import { readKubeconfig, startCluster, type Cluster } from '../scripts/cluster.js';
import { emitResult, inFlight, machine, onInterrupt, printTable, progress } from './support/util.js';
import { load, round } from './support/measure.js';
import { until } from './support/bench-cluster.js';
import { growthExponents, parseScaleArgs, SIZES, type ScaleArgs } from './support/scale-math.js';
import { NS, PARALLELISM, WATCHERS, WATCH_RATE, createAll, finishedPod, finishedStatus, log, mib, sleep, suspendedJob } from './support/scale-objects.js';
import { changeLogBytes, measuredList, pagedList, redisListFloor, redisUsed, sum } from './support/scale-store.js';
import { fanOut, runInformerChild, type FanOut } from './support/scale-children.js';
import { rssOf, runCron, runJob, SERVICES, type JobRun } from './support/scale-workloads.js';

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
  const unregister = onInterrupt(async () => {
    await cluster?.stop();
    await infra.stop();
    if (!process.env.BENCH_KEEP_HOME) rmSync(home, { recursive: true, force: true });
  });
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
    for (const mode of args.jobModes ?? ['Indexed', 'NonIndexed']) jobs.push(await runJob(size, http, cluster, redis, completions, mode === 'Indexed'));

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
    unregister();
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

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
