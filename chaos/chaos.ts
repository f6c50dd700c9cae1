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
 * - no service exited on its own, and no process of the run is left on the machine.
 *
 * Exit code 0 when every check passes. Bounded: a watchdog ends the run (exit 1) after 25 min
 * (short: 8 min). Environment: CHAOS_SHORT, CHAOS_KEEP=1 keeps the run's dir (logs) on success.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Job, Namespace, Pod } from '@kjobs/api';
import { startChaosCluster, type ChaosCluster } from './chaos-cluster.js';
import { chaosFaults } from './faults.js';
import { MemqWorkload } from './memq-workload.js';
import { timeToBack } from './probes.js';
import { alivePids, processesUnder, processesWithEnv } from './procs.js';
import { AckedWriter } from './writer.js';

const SHORT = process.argv.includes('--short') || process.env.CHAOS_SHORT === '1';
const COMPLETIONS = SHORT ? 100 : 500;
const ITEMS = SHORT ? 200 : 1000;
const CONSUMERS = 3;
const LEASE_S = 5;
const BACK_WITHIN_MS = 5000;
const NS = 'chaos';
const RUN = randomBytes(4).toString('hex');
const WATCHDOG_MS = (SHORT ? 8 : 25) * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never');

/** Poll until `fn` is true or `timeoutMs` passes; returns whether it became true. */
async function until(fn: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return true;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}

function chaosJob(parallelism: number): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'chaos', namespace: NS },
    spec: {
      completions: COMPLETIONS, parallelism, backoffLimit: 10_000,
      template: { spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', SHORT ? 'sleep 2' : 'sleep 1'], env: [{ name: 'CHAOS_RUN', value: RUN }] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
    },
  };
}

interface FaultRow {
  fault: string;
  back: Record<string, number>;
  worstMs: number;
  progressMs: number;
  atFault: { succeeded: number; memqDone: number; writes: number };
}

async function run(c: ChaosCluster, problems: string[]): Promise<{ rows: FaultRow[]; summary: Record<string, unknown> }> {
  const { api } = c;
  await c.waitReady(120_000);
  await api.create<Namespace>('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const writer = new AckedWriter(api, NS);
  writer.start();
  const faults = chaosFaults();
  const F = faults.length;
  // Pacing: fault k fires once the Job is (k - 0.5)/F of the way through its first half, so the
  // faults are spread over the Job and the pods run when each hits; parallelism only grows (a
  // lower parallelism would delete running pods), slowly, up to a cap that keeps the Job from
  // finishing before the last fault. MemQ follows the Job (items done ≤ the Job's fraction plus a
  // little), so consumers hold leases at every fault. After the last fault both run at full speed.
  const memq = new MemqWorkload(c.memqPort, `chaos-${RUN}`, ITEMS, CONSUMERS, LEASE_S, 500);
  await memq.fill();
  let succeeded = 0;
  memq.allowed = () => Math.floor((ITEMS * succeeded) / COMPLETIONS) + 2 * CONSUMERS;
  memq.start();
  let parallelism = SHORT ? 1 : 2;
  const maxParallelism = SHORT ? 3 : 6;
  await api.create('Job', chaosJob(parallelism));
  const poll = setInterval(() => void api.get<Job>('Job', NS, 'chaos').then((j) => (succeeded = Math.max(succeeded, j.status?.succeeded ?? 0)), () => undefined), 250);
  const setParallelism = async (p: number) => {
    await until(async () => (await api.patch('Job', NS, 'chaos', 'merge', { spec: { parallelism: p } }), true), 30_000);
    parallelism = p;
  };

  const rows: FaultRow[] = [];
  try {
    for (let k = 1; k <= F; k++) {
      const fault = faults[k - 1]!;
      const jobAt = Math.floor((COMPLETIONS * 0.5 * (k - 0.5)) / F);
      let lastBump = Date.now();
      const reached = await until(async () => {
        if (succeeded < jobAt && Date.now() - lastBump > 8000 && parallelism < maxParallelism) {
          lastBump = Date.now();
          await setParallelism(parallelism + 1);
        }
        return succeeded >= jobAt;
      }, 180_000);
      if (!reached) problems.push(`before "${fault.name}": the Job stalled (succeeded ${succeeded}, waiting for ${jobAt})`);
      const atFault = { succeeded, memqDone: memq.doneCount(), writes: writer.acked.length };
      console.log(`[${new Date().toISOString()}] fault ${k}/${F}: ${fault.name} (succeeded ${atFault.succeeded}/${COMPLETIONS}, memq ${atFault.memqDone}/${ITEMS}, writes ${atFault.writes})`);
      const { since, probes } = await fault.inject(c);
      const back = await timeToBack(probes, since, 60_000);
      const worstMs = Math.max(...back.values());
      for (const [svc, ms] of back) if (ms > BACK_WITHIN_MS) problems.push(`${fault.name}: ${svc} back after ${s(ms)} s (limit ${BACK_WITHIN_MS / 1000} s)`);
      const progressed = await until(() => succeeded > atFault.succeeded && (memq.doneCount() > atFault.memqDone || memq.doneCount() === ITEMS) && writer.acked.length > atFault.writes, 120_000, 50);
      const progressMs = progressed ? Date.now() - since : Infinity;
      if (!progressed) problems.push(`${fault.name}: no progress within 120 s`);
      if (succeeded >= COMPLETIONS) problems.push(`${fault.name}: the Job had already finished (not during the Job)`);
      console.log(`  back: ${[...back].map(([svc, ms]) => `${svc} ${s(ms)} s`).join(', ')}; work progressing after ${s(progressMs)} s`);
      rows.push({ fault: fault.name, back: Object.fromEntries(back), worstMs, progressMs, atFault });
    }

    // Release: the rest at full speed.
    memq.holdMs = 0;
    memq.allowed = () => ITEMS;
    await setParallelism(20);
    const complete = await until(async () => {
      const j = await api.get<Job>('Job', NS, 'chaos');
      return !!j.status?.conditions?.some((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
    }, SHORT ? 180_000 : 600_000, 500);
    if (!complete) problems.push('the Job did not finish');
    if (!(await until(() => memq.settled(), 120_000, 500))) problems.push(`memq did not settle (${memq.doneCount()}/${ITEMS} done)`);
  } finally {
    clearInterval(poll);
    await memq.stop();
    await writer.stop();
  }

  // Job: exactly `completions` counted, nothing stuck.
  const job = await api.get<Job>('Job', NS, 'chaos');
  const cond = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (cond?.type !== 'Complete') problems.push(`Job condition ${cond?.type ?? 'none'} ${cond?.reason ?? ''}`);
  if (job.status?.succeeded !== COMPLETIONS) problems.push(`Job succeeded ${job.status?.succeeded}, expected exactly ${COMPLETIONS}`);
  const pods = (await api.list<Pod>('Pod', { namespace: NS })).items;
  const byPhase: Record<string, number> = {};
  for (const p of pods) byPhase[p.status?.phase ?? 'Unknown'] = (byPhase[p.status?.phase ?? 'Unknown'] ?? 0) + 1;
  const stuck = await (async () => {
    let left: Pod[] = [];
    await until(async () => {
      left = (await api.list<Pod>('Pod', { namespace: NS })).items.filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '') || p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking'));
      return left.length === 0;
    }, 60_000, 500);
    return left;
  })();
  if (stuck.length) problems.push(`${stuck.length} pods stuck (not terminal or still holding the job-tracking finalizer): ${stuck.slice(0, 5).map((p) => `${p.metadata.name} ${p.status?.phase}`).join(', ')}`);
  // MemQ and writes.
  problems.push(...(await memq.verify()).map((p) => `memq: ${p}`));
  const missing = await writer.missing();
  if (missing.length) problems.push(`${missing.length} acknowledged writes lost: ${missing.slice(0, 10).join(', ')}`);
  // Pods' processes: all pods are terminal, so none may run.
  const podMarker = { HOME: path.join(c.home, 'nodes') + path.sep, CHAOS_RUN: RUN };
  await until(() => processesWithEnv(podMarker).length === 0, 30_000, 500);
  const podProcs = processesWithEnv(podMarker);
  if (podProcs.length) problems.push(`${podProcs.length} pod processes still running after the Job finished: ${podProcs.slice(0, 5).map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);

  return {
    rows,
    summary: {
      job: { completions: COMPLETIONS, succeeded: job.status?.succeeded, failed: job.status?.failed ?? 0, condition: cond?.type, pods: pods.length, podsByPhase: byPhase },
      memq: { ...memq.counts, finishedBy: memq.finishedBy() },
      writes: { acknowledged: writer.acked.length, failed: writer.failed, lost: missing.length },
    },
  };
}

/** Processes of this run still alive: services, pods, Redis, NATS. */
function leftovers(c: ChaosCluster): { pid: number; cmd: string }[] {
  const byEnv = processesWithEnv({ KJOBS_HOME: c.home, HOME: path.join(c.home, 'nodes') + path.sep, CHAOS_RUN: RUN });
  const byCwd = processesUnder(c.home);
  const byPid = alivePids([...c.servicePids, ...c.redis.pids, ...c.nats.pids]);
  const seen = new Set<number>();
  return [...byEnv, ...byCwd, ...byPid].filter((p) => !seen.has(p.pid) && seen.add(p.pid));
}

async function main(): Promise<number> {
  const t0 = Date.now();
  console.log(`chaos suite${SHORT ? ' (short)' : ''}: Job completions ${COMPLETIONS}, MemQ ${ITEMS} items (lease ${LEASE_S} s, ${CONSUMERS} consumers), services back within ${BACK_WITHIN_MS / 1000} s`);
  const c = await startChaosCluster({ tag: 'chaos', env: { KJOBS_HEARTBEAT_SECONDS: '2' } });
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
    orphans = left.length;
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
    console.log('\nrecovery per fault (respawn/restart → back; limit 5 s):');
    console.log(['fault', 'service', 'back after s', 'work progressing after s', 'succeeded at fault', 'memq done at fault'].join(' | '));
    for (const r of result.rows) {
      for (const [svc, ms] of Object.entries(r.back)) console.log([r.fault, svc, s(ms), s(r.progressMs), r.atFault.succeeded, r.atFault.memqDone].join(' | '));
    }
  }
  console.log(`\n${JSON.stringify({ suite: 'chaos', short: SHORT, wall_s: Math.round((Date.now() - t0) / 1000), faults: result?.rows ?? [], ...result?.summary, orphans, problems })}`);
  if (problems.length) {
    console.log(`\nchaos: FAILED — ${problems.length} problem(s):`);
    for (const p of problems) console.log(`  - ${p}`);
    console.log(`logs kept in ${path.join(c.home, 'logs')}`);
    return 1;
  }
  console.log(`\nchaos: PASSED in ${Math.round((Date.now() - t0) / 1000)} s — succeeded ${COMPLETIONS}/${COMPLETIONS}, every MemQ item acked, no acknowledged write lost, every service back within 5 s, no orphan process`);
  if (!process.env.CHAOS_KEEP) rmSync(c.home, { recursive: true, force: true });
  return 0;
}

process.exit(await main());
