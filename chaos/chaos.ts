/**
 * `npm run chaos` (`-- --short` or CHAOS_SHORT=1 for CI): the chaos suite. On its own Redis and
 * NATS (loopback, free ports) it runs a whole cluster — api-server, two schedulers, two
 * job-controllers, two kubelet-agents, memq — and, during a Job with completions 500 (short: 100)
 * and a 1,000-item (short: 200) MemQ lease workload, with a writer creating objects all along,
 * injects the faults of chaos/faults.ts one after another. It asserts:
 *
 * - the Job completes with succeeded == completions exactly, no pod stuck or still holding the
 *   job-tracking finalizer;
 * - every MemQ item is acked and the queue ends empty, nothing in flight;
 * - every create the api-server acknowledged exists at the end;
 * - every service is back within 5 s of its restart (printed per fault and service);
 * - no service exited on its own, and no process of the run is left on the machine (HA: nor a
 *   network namespace or link of its simulated hosts).
 *
 * `-- --ha` (CHAOS_HA=1) runs the same workloads and checks on the highly available layout
 * (scripts/ha.ts) with its own faults (chaos/ha-faults.ts): the Redis primary (limit 10 s), one
 * NATS server, one api-server, both leaders, a whole host lost and a host partitioned for 60 s
 * (short: 15 s); its two kubelet-agents run on simulated hosts (chaos/chaos-hosts.ts).
 *
 * Exit code 0 when every check passes. Bounded: a watchdog ends the run (exit 1) after 25 min
 * (short: 8 min). Environment: CHAOS_SHORT, CHAOS_KEEP=1 keeps the run's dir (logs) on success.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Namespace, Pod } from '@kjobs/api';
import { startChaosCluster, type ChaosCluster } from './chaos-cluster.js';
import { chaosFaults } from './faults.js';
import { HOST_EVICTION_S, HOST_GRACE_S, haFaults } from './ha-faults.js';
import { JobPacer, until } from './job-pacer.js';
import { MemqWorkload } from './memq-workload.js';
import { timeToBack } from './probes.js';
import { alivePids, processesUnder, processesWithEnv } from './procs.js';
import { AckedWriter } from './writer.js';

const SHORT = process.argv.includes('--short') || process.env.CHAOS_SHORT === '1';
/** The highly available layout and its faults (chaos/ha-faults.ts). */
const HA = process.argv.includes('--ha') || process.env.CHAOS_HA === '1';
const COMPLETIONS = SHORT ? 100 : 500;
const ITEMS = SHORT ? 200 : 1000;
const CONSUMERS = 3;
const LEASE_S = 5;
const BACK_WITHIN_MS = 5000;
const NS = 'chaos';
const RUN = randomBytes(4).toString('hex');
/** How long the HA run's partitioned host stays cut off (issue 21: 60 s). */
const PARTITION_S = SHORT ? 15 : 60;
/**
 * How long the Job may take to reach a fault's point. HA: the pods a lost host takes with it fail
 * (the node controller), and a Job waits 10 s · 2^(failures - 1) after consecutive failures before
 * it creates more pods (Kubernetes' pod-failure backoff, max 10 min): six failed pods are 320 s.
 */
const REACH_MS = HA ? 660_000 : 180_000;
const WATCHDOG_MS = (SHORT ? 8 : 25) * 60_000;

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never');

interface FaultRow {
  fault: string;
  /** ms from restart to back, per service. */
  back: Record<string, number>;
  worstMs: number;
  /** What the fault measured besides the probes (a host's NotReady time, its pods failed, …). */
  note?: string;
  /** ms from restart until the Job, MemQ and the writer all moved on. */
  progressMs: number;
  atFault: { succeeded: number; memqDone: number; writes: number };
}

interface Workloads {
  job: JobPacer;
  memq: MemqWorkload;
  writer: AckedWriter;
}

/**
 * Start the three workloads. MemQ follows the Job (items done ≤ the Job's fraction done, plus a
 * few), so consumers hold leases whenever a fault hits rather than emptying the queue first.
 */
async function startWorkloads(c: ChaosCluster): Promise<Workloads> {
  await c.api.create<Namespace>('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const writer = new AckedWriter(c.api, NS);
  writer.start();
  const memq = new MemqWorkload(c.memqPort, `chaos-${RUN}`, ITEMS, CONSUMERS, LEASE_S, 500);
  await memq.fill();
  const job = new JobPacer(c.api, {
    namespace: NS, name: 'chaos', completions: COMPLETIONS, script: SHORT ? 'sleep 2' : 'sleep 1', env: { CHAOS_RUN: RUN },
    startParallelism: SHORT ? 1 : 2, maxParallelism: SHORT ? 3 : 6,
  });
  memq.allowed = () => Math.floor((ITEMS * job.succeeded) / COMPLETIONS) + 2 * CONSUMERS;
  memq.start();
  await job.create();
  return { job, memq, writer };
}

/**
 * Inject the faults in turn. Fault k fires once the Job is (k - 0.5)/F of the way through its
 * first half, so the faults are spread over the Job; then every probe must pass within 5 s of
 * the restart, and the work must move on.
 */
async function injectFaults(c: ChaosCluster, w: Workloads, problems: string[]): Promise<FaultRow[]> {
  const faults = HA ? haFaults({ partitionS: PARTITION_S }) : chaosFaults();
  const rows: FaultRow[] = [];
  for (const [i, fault] of faults.entries()) {
    const target = Math.floor((COMPLETIONS * 0.5 * (i + 0.5)) / faults.length);
    const waitFrom = Date.now();
    if (!(await w.job.reach(target, REACH_MS))) problems.push(`before "${fault.name}": the Job stalled (succeeded ${w.job.succeeded}, waiting for ${target})`);
    if (Date.now() - waitFrom > 60_000) console.log(`  (the Job took ${s(Date.now() - waitFrom)} s to reach ${target}: its pod-failure backoff after the last fault's failed pods)`);
    const atFault = { succeeded: w.job.succeeded, memqDone: w.memq.doneCount(), writes: w.writer.acked.length };
    if (atFault.succeeded >= COMPLETIONS) problems.push(`${fault.name}: the Job had already finished (not during the Job)`);
    console.log(`[${new Date().toISOString()}] fault ${i + 1}/${faults.length}: ${fault.name} (succeeded ${atFault.succeeded}/${COMPLETIONS}, memq ${atFault.memqDone}/${ITEMS}, writes ${atFault.writes})`);
    const { since, probes, settle, note } = await fault.inject(c);
    const back = await timeToBack(probes, since, 180_000);
    const limit = fault.limitMs ?? BACK_WITHIN_MS;
    for (const [svc, ms] of back) if (ms > limit) problems.push(`${fault.name}: ${svc} back after ${s(ms)} s (limit ${limit / 1000} s)`);
    const moved = () => w.job.succeeded > atFault.succeeded && (w.memq.doneCount() > atFault.memqDone || w.memq.doneCount() === ITEMS) && w.writer.acked.length > atFault.writes;
    const progressed = await until(moved, 120_000, 50);
    const progressMs = progressed ? Date.now() - since : Infinity;
    if (!progressed) problems.push(`${fault.name}: no progress within 120 s`);
    try {
      await settle;
    } catch (e) {
      problems.push(`${fault.name}: bringing the killed member back failed: ${(e as Error).message}`);
    }
    console.log(`  back: ${[...back].map(([svc, ms]) => `${svc} ${s(ms)} s`).join(', ')}; work progressing after ${s(progressMs)} s${note ? `\n  ${note()}` : ''}`);
    rows.push({ fault: fault.name, back: Object.fromEntries(back), worstMs: Math.max(...back.values()), progressMs, atFault, ...(note ? { note: note() } : {}) });
  }
  return rows;
}

/** After the faults: the Job completes with exactly `completions`, nothing stuck; returns its summary. */
async function checkJob(c: ChaosCluster, w: Workloads, problems: string[]): Promise<Record<string, unknown>> {
  const job = await w.job.get();
  const cond = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (cond?.type !== 'Complete') problems.push(`Job condition ${cond?.type ?? 'none'} ${cond?.reason ?? ''}`);
  if (job.status?.succeeded !== COMPLETIONS) problems.push(`Job succeeded ${job.status?.succeeded}, expected exactly ${COMPLETIONS}`);
  // Every pod terminal and counted (its job-tracking finalizer removed).
  let pods: Pod[] = [];
  const isStuck = (p: Pod) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '') || !!p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking');
  await until(async () => {
    pods = (await c.api.list<Pod>('Pod', { namespace: NS })).items;
    return !pods.some(isStuck);
  }, 60_000, 500);
  const stuck = pods.filter(isStuck);
  if (stuck.length) problems.push(`${stuck.length} pods stuck (not terminal or still holding the job-tracking finalizer): ${stuck.slice(0, 5).map((p) => `${p.metadata.name} ${p.status?.phase}`).join(', ')}`);
  const byPhase: Record<string, number> = {};
  for (const p of pods) byPhase[p.status?.phase ?? 'Unknown'] = (byPhase[p.status?.phase ?? 'Unknown'] ?? 0) + 1;
  // All pods are terminal, so none of their processes may still run.
  const marker = { HOME: path.join(c.home, 'nodes') + path.sep, CHAOS_RUN: RUN };
  await until(() => processesWithEnv(marker).length === 0, 30_000, 500);
  const procs = processesWithEnv(marker);
  if (procs.length) problems.push(`${procs.length} pod processes still running after the Job finished: ${procs.slice(0, 5).map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
  return { completions: COMPLETIONS, succeeded: job.status?.succeeded, failed: job.status?.failed ?? 0, condition: cond?.type, pods: pods.length, podsByPhase: byPhase };
}

/** The whole run on a started cluster: workloads, faults, release, checks. */
async function run(c: ChaosCluster, problems: string[]): Promise<{ rows: FaultRow[]; summary: Record<string, unknown> }> {
  await c.waitReady(120_000);
  const w = await startWorkloads(c);
  let rows: FaultRow[] = [];
  try {
    rows = await injectFaults(c, w, problems);
    // Release: the rest at full speed.
    w.memq.holdMs = 0;
    w.memq.allowed = () => ITEMS;
    if (!(await w.job.release(20, SHORT ? 180_000 : 600_000))) problems.push('the Job did not finish');
    if (!(await until(() => w.memq.settled(), 120_000, 500))) problems.push(`memq did not settle (${w.memq.doneCount()}/${ITEMS} done)`);
  } finally {
    w.job.stop();
    await w.memq.stop();
    await w.writer.stop();
  }
  const job = await checkJob(c, w, problems);
  problems.push(...(await w.memq.verify()).map((p) => `memq: ${p}`));
  const missing = await w.writer.missing();
  if (missing.length) problems.push(`${missing.length} acknowledged writes lost: ${missing.slice(0, 10).join(', ')}`);
  return {
    rows,
    summary: {
      job,
      memq: { ...w.memq.counts, finishedBy: w.memq.finishedBy() },
      writes: { acknowledged: w.writer.acked.length, failed: w.writer.failed, lost: missing.length },
    },
  };
}

/** Processes of this run still alive: services, pods, Redis, NATS. */
function leftovers(c: ChaosCluster): { pid: number; cmd: string }[] {
  const byEnv = processesWithEnv({ KJOBS_HOME: c.home, HOME: path.join(c.home, 'nodes') + path.sep, CHAOS_RUN: RUN });
  const byCwd = processesUnder(c.home);
  const byPid = alivePids([...c.servicePids, ...c.infraPids()]);
  const seen = new Set<number>();
  return [...byEnv, ...byCwd, ...byPid].filter((p) => !seen.has(p.pid) && seen.add(p.pid));
}

async function main(): Promise<number> {
  const t0 = Date.now();
  console.log(`chaos suite${HA ? ' on the HA layout' : ''}${SHORT ? ' (short)' : ''}: Job completions ${COMPLETIONS}, MemQ ${ITEMS} items (lease ${LEASE_S} s, ${CONSUMERS} consumers), services back within ${BACK_WITHIN_MS / 1000} s${HA ? ' (10 s for the Redis failover)' : ''}`);
  // HA: a lost host's Node goes NotReady after 10 s without a heartbeat and its pods fail 2 s
  // later (defaults 50 s and 10 s; Kubernetes' 40 s and 300 s), so the run sees the Job replace them.
  const env: Record<string, string> = { KJOBS_HEARTBEAT_SECONDS: '2', ...(HA ? { KJOBS_NODE_GRACE_SECONDS: String(HOST_GRACE_S), KJOBS_POD_EVICTION_SECONDS: String(HOST_EVICTION_S) } : {}) };
  const c = await startChaosCluster({ tag: HA ? 'chaos-ha' : 'chaos', env, ha: HA });
  console.log(`run dir ${c.home} (logs in ${path.join(c.home, 'logs')})`);
  const problems: string[] = [];
  let result: Awaited<ReturnType<typeof run>> | undefined;
  let orphans = 0;
  // Watchdog and Ctrl-C: stop everything this run started, then exit 1.
  const abort = (why: string) => {
    console.error(`chaos: ${why}; stopping`);
    void c.stop().catch(() => undefined).finally(() => {
      for (const p of leftovers(c)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      process.exit(1);
    });
  };
  const watchdog = setTimeout(() => abort(`watchdog — still running after ${WATCHDOG_MS / 60_000} min`), WATCHDOG_MS);
  process.once('SIGINT', () => abort('SIGINT'));
  process.once('SIGTERM', () => abort('SIGTERM'));
  try {
    result = await run(c, problems);
  } catch (e) {
    problems.push(`suite error: ${(e as Error).stack ?? String(e)}`);
  } finally {
    problems.push(...c.unexpectedExits.map((x) => `service exited on its own: ${x}`));
    await c.stop();
    // Everything we started must be gone; end and report anything that is not.
    await until(() => leftovers(c).length === 0, 15_000, 250);
    const left = leftovers(c);
    // HA: the simulated hosts' namespaces, their pods' and their links are gone too (none was ever on the machine's network).
    const leftNet = c.hosts ? [...c.hosts.leftNetns().map((n) => `netns ${n}`), ...c.hosts.machineLinks().map((l) => `link ${l}`)] : [];
    if (leftNet.length) problems.push(`${leftNet.length} network leftovers after stop: ${leftNet.slice(0, 5).join(', ')}`);
    orphans = left.length + leftNet.length;
    if (left.length) {
      problems.push(`${left.length} orphan processes after stop: ${left.slice(0, 5).map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    clearTimeout(watchdog);
  }

  if (result) {
    console.log(`\nrecovery per fault (respawn/restart → back; limit 5 s${HA ? ', Redis failover 10 s' : ''}):`);
    console.log(['fault', 'service', 'back after s', 'work progressing after s', 'succeeded at fault', 'memq done at fault'].join(' | '));
    for (const r of result.rows) {
      for (const [svc, ms] of Object.entries(r.back)) console.log([r.fault, svc, s(ms), s(r.progressMs), r.atFault.succeeded, r.atFault.memqDone].join(' | '));
    }
  }
  console.log(`\n${JSON.stringify({ suite: 'chaos', ha: HA, short: SHORT, wall_s: Math.round((Date.now() - t0) / 1000), faults: result?.rows ?? [], ...result?.summary, orphans, problems })}`);
  if (problems.length) {
    console.log(`\nchaos: FAILED — ${problems.length} problem(s):`);
    for (const p of problems) console.log(`  - ${p}`);
    console.log(`logs kept in ${path.join(c.home, 'logs')}`);
    return 1;
  }
  console.log(`\nchaos: PASSED in ${Math.round((Date.now() - t0) / 1000)} s — succeeded ${COMPLETIONS}/${COMPLETIONS}, every MemQ item acked, no acknowledged write lost, every service back within 5 s${HA ? ' (the Redis failover within 10 s)' : ''}, no orphan process`);
  if (!process.env.CHAOS_KEEP) rmSync(c.home, { recursive: true, force: true });
  return 0;
}

process.exit(await main());
