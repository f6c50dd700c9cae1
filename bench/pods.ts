/**
 * `npm run bench -- pods`: 1,000 pods running `true` (restartPolicy Never) created through the
 * REST API, 64 in flight, on a whole cluster of two nodes (every service a process, as `npm start`
 * runs them). Measures wall time until every pod is Succeeded, pods/s, and pod startup latency
 * p50/p99, beside the floor measured in the same run: the same 1,000 `true` processes spawned
 * directly by this Node process at the same concurrency.
 *
 * Startup latency is "create request sent → first watch event whose container status shows the
 * container started" (state.running, or state.terminated with a real startedAt): a `true` pod may
 * go Pending → Succeeded without a Running status ever being written, so "Running seen" alone
 * would miss most pods. The per-stage columns (ADDED seen, bound, started, Succeeded) show where
 * the time goes, and the CPU seconds of every service show who spends it.
 *
 * Also exports the helpers the jobs and cron benchmarks share (a bench cluster, /proc readings,
 * the spawn floor).
 *
 * `--runtime=oci`: the nodes run pods as runc containers from the local registry's busybox image
 * (pulled during the warm-up), and the floor is `runc run` of the same `true` container (busybox's
 * root file system, read-only, no overlay) spawned by Node at the same concurrency; the startup
 * target is then "p99 at 5 pods/s within 100 ms of the floor's p99". Default `--runtime=process`.
 *
 * Environment: BENCH_PODS (1000; 300 with --runtime=oci), BENCH_POD_NETWORK (unset: the agents' default for oci,
 * `off` for process — that run measures the control plane; `off` measures containers without their network namespaces), BENCH_CONCURRENCY (64), BENCH_PACED_PODS (50), BENCH_TIMEOUT_S (600),
 * BENCH_PROFILE_DIR (unset: with it, every service writes a CPU profile there; all benchmarks),
 * BENCH_HOME_DIR (the repo's .kjobs/: where bench clusters keep their state), BENCH_KEEP_HOME=1 (keep
 * that state, the services' logs among it, after the run).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { KObject, Node, Pod, WatchEvent } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { ensureInfra, freePort, type Infra } from '../scripts/infra.js';
import { readKubeconfig, startCluster, type Cluster } from '../scripts/cluster.js';
import { emitResult, inFlight, machine, printTable, progress, summarize } from './util.js';
import { measureNetworkCost, printNetworkCost } from './pod-network.js';

// ───────────────────────────── shared helpers (jobs.ts and cron.ts use them too) ─────────────────────────────

/** A whole cluster for one benchmark, on the machine's Redis and NATS with its own prefixes. */
export interface BenchCluster {
  cluster: Cluster;
  api: HttpClient;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * Where bench clusters keep their state: BENCH_HOME_DIR, else the repo's `.kjobs/`, where `npm
 * start` keeps its own. Not os.tmpdir(): on some machines creating a directory under /tmp costs
 * ten times what it does elsewhere on the same disk (measured 0.47 ms of CPU per mkdir against
 * 0.03–0.07 ms; ext4 searching block groups for /tmp's new inodes), and every pod creates one.
 */
function benchHomeParent(): string {
  const dir = path.resolve(process.env.BENCH_HOME_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.kjobs'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Start every service but memq with a temp KJOBS_HOME (under benchHomeParent()), a free api port and unique store/subject
 * prefixes; nodes get `nodePods` pod capacity. Resolves once `nodes` Nodes are Ready.
 * `stop()` stops the services and deletes every key under the prefix.
 */
export async function startBenchCluster(o: { nodes?: number; nodePods?: number; env?: Record<string, string>; localRegistry?: 'on' | 'off' } = {}): Promise<BenchCluster> {
  const home = mkdtempSync(path.join(benchHomeParent(), 'bench-'));
  let infra: Infra | undefined;
  let cluster: Cluster | undefined;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const nodes = o.nodes ?? 2;
  const cleanup = async (): Promise<void> => {
    await cluster?.stop();
    if (infra) {
      const redis = new Redis(infra.redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 5000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      await infra.stop();
    }
    if (!process.env.BENCH_KEEP_HOME) rmSync(home, { recursive: true, force: true });
  };
  try {
    infra = await ensureInfra(home);
    cluster = await startCluster({
      home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, apiPort: await freePort(),
      storePrefix: prefix, subjectPrefix: prefix, without: ['memq'], nodes,
      // The local registry seeds ~100 MB of images in the background: only the OCI runtime needs it,
      // and a seeding registry would share the CPU with what is measured.
      localRegistry: o.localRegistry ?? (o.env?.KJOBS_RUNTIME === 'oci' ? 'on' : 'off'),
      // Process pods unless a benchmark asks for containers (`pods --runtime=oci`): the floors of jobs and cron are spawned processes.
      // Process pods stay on the node's network: these runs measure the control plane, not CNI.
      env: { KJOBS_RUNTIME: 'process', ...(o.env?.KJOBS_RUNTIME === 'oci' ? {} : { KJOBS_POD_NETWORK: 'off' }), ...profileEnv(), ...o.env }, nodeEnv: () => ({ KJOBS_NODE_PODS: String(o.nodePods ?? 110) }),
    });
    const kc = readKubeconfig(home);
    const api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca, timeoutMs: 60_000 });
    await until(`${nodes} nodes Ready`, async () => {
      const list = await api.list<Node>('Node');
      return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= nodes;
    }, 120_000);
    return {
      cluster, api, prefix,
      async stop() {
        await api.close();
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  }
}

/**
 * With BENCH_PROFILE_DIR set, every service writes a V8 CPU profile there when it exits
 * (`<service>-<pid>.cpuprofile`; open it in Chrome DevTools or speedscope). Node 20 refuses
 * --cpu-prof in NODE_OPTIONS, so a small --import hook runs the inspector's profiler instead.
 */
function profileEnv(): Record<string, string> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return {};
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true });
  const hook = path.join(abs, 'profile-hook.mjs');
  writeFileSync(hook, PROFILE_HOOK);
  return { NODE_OPTIONS: `--import ${hook}`, BENCH_PROFILE_DIR: abs };
}

const PROFILE_HOOK = `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
const s = new Session();
s.connect();
s.post('Profiler.enable');
s.post('Profiler.setSamplingInterval', { interval: 500 });
s.post('Profiler.start');
const name = (process.argv[1] ?? '').split(path.sep).at(-3) + (process.env.NODE_NAME ? '-' + process.env.NODE_NAME : '');
let done = false;
// A same-thread inspector session answers synchronously, so this works inside exit.
const dump = () => {
  if (done) return;
  done = true;
  s.post('Profiler.stop', (err, r) => {
    if (!err) writeFileSync(path.join(process.env.BENCH_PROFILE_DIR, name + '-' + process.pid + '.cpuprofile'), JSON.stringify(r.profile));
  });
};
const exit = process.exit.bind(process);
process.exit = (code) => { dump(); exit(code); };
process.on('exit', dump);
`;

/** Poll `fn` (every 200 ms) until true, or throw after timeoutMs. */
export async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const CLK_TCK = 100;

/** CPU seconds (own; and of its children) and memory of a process, from /proc. */
export interface ProcReading {
  cpuSec: number;
  /** Children reaped so far (cutime + cstime) plus every live descendant's whole CPU (e.g. the agents' launchers and the runs they reaped). */
  childCpuSec: number;
  /** Peak resident set (VmHWM), MiB. */
  peakRssMiB: number;
  rssMiB: number;
}

/** Read /proc/<pid>/stat (utime, stime, cutime, cstime) and /proc/<pid>/status (VmHWM, VmRSS). */
export function readProc(pid: number): ProcReading {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number) => Number(f[i - 3]) / CLK_TCK;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuSec: tick(14) + tick(15), childCpuSec: tick(16) + tick(17) + descendantsCpu(pid), peakRssMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
}

/** CPU seconds of the live descendants of `pid` (own + reaped children of each), from /proc/<pid>/task/<tid>/children. */
function descendantsCpu(pid: number): number {
  let sum = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop() ?? 0;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      let kids: number[] = [];
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        continue;
      }
      for (const k of kids) {
        try {
          const st = readFileSync(`/proc/${k}/stat`, 'utf8');
          const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
          sum += [11, 12, 13, 14].reduce((a, i) => a + Number(f[i]), 0) / CLK_TCK;
          stack.push(k);
        } catch {
          // gone
        }
      }
    }
  }
  return sum;
}

/** A reading of every service of the cluster. */
export function readServices(c: Cluster): Map<string, ProcReading> {
  const out = new Map<string, ProcReading>();
  for (const [name, p] of c.procs) if (p.pid && p.exitCode === null) out.set(name, readProc(p.pid));
  return out;
}

/** Rows "service, CPU s, children CPU s, peak RSS" for the difference between two readings. */
export function cpuRows(before: Map<string, ProcReading>, after: Map<string, ProcReading>, wallSec: number): (string | number)[][] {
  const rows: (string | number)[][] = [['service', 'CPU s', 'CPU % of wall', 'children CPU s', 'peak RSS MiB']];
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b) continue;
    const cpu = a.cpuSec - b.cpuSec;
    rows.push([name, cpu, (100 * cpu) / wallSec, a.childCpuSec - b.childCpuSec, a.peakRssMiB]);
  }
  return rows;
}

/** The same, as an object for the JSON line. */
export function cpuJson(before: Map<string, ProcReading>, after: Map<string, ProcReading>): Record<string, { cpu_s: number; children_cpu_s: number; peak_rss_mib: number }> {
  const out: Record<string, { cpu_s: number; children_cpu_s: number; peak_rss_mib: number }> = {};
  for (const [name, a] of after) {
    const b = before.get(name);
    if (b) out[name] = { cpu_s: round(a.cpuSec - b.cpuSec), children_cpu_s: round(a.childCpuSec - b.childCpuSec), peak_rss_mib: round(a.peakRssMiB) };
  }
  return out;
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** The floor: `total` `true` processes spawned by this process, `concurrency` alive at a time. */
export async function spawnFloor(total: number, concurrency: number): Promise<{ wallMs: number; spawnMs: number[]; exitMs: number[] }> {
  const spawnMs: number[] = [];
  const exitMs: number[] = [];
  const wallMs = await inFlight(total, concurrency, () => new Promise<void>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('true', [], { stdio: 'ignore' });
    child.once('spawn', () => spawnMs.push(performance.now() - t0));
    child.once('error', reject);
    child.once('exit', (code) => {
      exitMs.push(performance.now() - t0);
      if (code === 0) resolve();
      else reject(new Error(`true exited ${code}`));
    });
  }));
  return { wallMs, spawnMs, exitMs };
}

/** Machine-wide CPU counters (/proc/stat, all cores): busy and total ticks. */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Busy share of the whole machine between two readings, in % of all cores. */
export const busyPct = (a: { busy: number; total: number }, b: { busy: number; total: number }): number => (100 * (b.busy - a.busy)) / Math.max(1, b.total - a.total);

/** Pids of the shared redis-server and nats-server (by /proc/<pid>/comm), to read their CPU. */
export function infraPids(): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if ((comm === 'redis-server' || comm === 'nats-server') && !out.has(`${comm} (shared)`)) out.set(`${comm} (shared)`, Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** Every service of the cluster plus the shared redis-server and nats-server. */
export function readAll(c: Cluster): Map<string, ProcReading> {
  const out = readServices(c);
  for (const [name, pid] of infraPids()) {
    try {
      out.set(name, readProc(pid));
    } catch {
      // gone or not readable
    }
  }
  return out;
}

/** CPU seconds this process and its waited-for children used so far. */
export function selfCpu(): number {
  const r = readProc(process.pid);
  return r.cpuSec + r.childCpuSec;
}

/** 1-minute load average now. */
export const load = (): number[] => os.loadavg().map((x) => round(x));

/** Does this status show the container started (running, or terminated after a real start)? */
export function containerStarted(p: Pod): boolean {
  return (p.status?.containerStatuses ?? []).some((s) => s.state?.running !== undefined || (s.state?.terminated?.startedAt !== undefined && Date.parse(s.state.terminated.startedAt) > 0));
}

// ───────────────────────────── the pods benchmark ─────────────────────────────

const RUNTIME = (process.argv.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length) ?? 'process') as 'oci' | 'process';
const N = Number(process.env.BENCH_PODS ?? (RUNTIME === 'oci' ? 300 : 1000));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 600) * 1000;
/** The unsaturated phase: this many pods, one every 1000/PACED_RATE ms. */
const PACED_N = Number(process.env.BENCH_PACED_PODS ?? 50);
const PACED_RATE = 5;

function truePod(name: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { bench: 'pods' } },
    spec: { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['true'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 },
  };
}

/** Per pod: when (performance.now()) each stage was first seen. */
interface PodTimes {
  sent?: number;
  added?: number;
  bound?: number;
  started?: number;
  succeeded?: number;
  failed?: boolean;
}

/** Watches Pods in `default` and records, per pod, when each stage was first seen. */
class PodTracker {
  readonly times = new Map<string, PodTimes>();
  private waiters: { names: string[]; resolve: () => void }[] = [];
  private handle?: { stop(): void };

  at(name: string): PodTimes {
    let t = this.times.get(name);
    if (!t) this.times.set(name, (t = {}));
    return t;
  }

  async start(api: HttpClient): Promise<void> {
    const rv = (await api.list<Pod>('Pod', { namespace: 'default', limit: 1 })).metadata.resourceVersion;
    this.handle = api.watch<Pod>('Pod', { namespace: 'default', resourceVersion: rv }, (ev: WatchEvent<Pod>) => this.onEvent(ev));
  }

  stop(): void {
    this.handle?.stop();
  }

  private onEvent(ev: WatchEvent<Pod>): void {
    const now = performance.now();
    const p = ev.object;
    const t = this.at((p as KObject).metadata.name ?? '');
    if (ev.type === 'ADDED') t.added ??= now;
    if (p.spec?.nodeName) t.bound ??= now;
    if (containerStarted(p)) t.started ??= now;
    if (p.status?.phase === 'Succeeded') t.succeeded ??= now;
    if (p.status?.phase === 'Failed') t.failed = true;
    this.waiters = this.waiters.filter((w) => {
      if (!this.allEnded(w.names)) return true;
      w.resolve();
      return false;
    });
  }

  private allEnded(names: string[]): boolean {
    return names.every((n) => {
      const t = this.times.get(n);
      return t !== undefined && (t.succeeded !== undefined || t.failed === true);
    });
  }

  /** Resolves once every named pod was seen Succeeded or Failed; throws after timeoutMs. */
  async ended(names: string[], timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      if (this.allEnded(names)) resolve();
      else this.waiters.push({ names, resolve });
    });
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => {
        const ended = names.filter((n) => this.times.get(n)?.succeeded !== undefined || this.times.get(n)?.failed).length;
        reject(new Error(`only ${ended} of ${names.length} pods ended after ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Per-pod duration between two stages, over the named pods that reached both. */
  stage(names: string[], from: keyof PodTimes, to: keyof PodTimes): { p50: number; p99: number; max: number } {
    const ms: number[] = [];
    for (const n of names) {
      const t = this.times.get(n);
      const a = t?.[from];
      const b = t?.[to];
      if (typeof a === 'number' && typeof b === 'number') ms.push(b - a);
    }
    return summarize(ms);
  }
}

export async function run(): Promise<void> {
  const loadBefore = load();
  if (RUNTIME !== 'oci' && RUNTIME !== 'process') throw new Error('--runtime must be oci or process');
  const bc = await startBenchCluster({ nodes: 2, nodePods: Math.max(1000, N + PACED_N + 20), env: { KJOBS_RUNTIME: RUNTIME, ...(process.env.BENCH_POD_NETWORK ? { KJOBS_POD_NETWORK: process.env.BENCH_POD_NETWORK } : {}) } });
  const runcFloor = RUNTIME === 'oci' ? await RuncFloor.create() : undefined;
  try {
    const { api, cluster } = bc;
    const seeded = await cluster.registry?.seeded;
    if (RUNTIME === 'oci' && seeded?.errors.length) throw new Error(`local registry: ${seeded.errors.join('; ')}`);
    const tracker = new PodTracker();
    await tracker.start(api);

    // Warm-up the whole path (JIT in every service, connections, the shim file).
    const warm = Array.from({ length: 20 }, (_, i) => `warm-${i}`);
    await inFlight(warm.length, 10, (i) => api.create('Pod', truePod(warm[i]!)).then(() => undefined));
    await tracker.ended(warm, 120_000);

    // Floor, with the idle cluster up (the same background as the measurement).
    const floorRun = (n: number) => (runcFloor ? runcFloor.run(n, CONCURRENCY) : spawnFloor(n, CONCURRENCY));
    await floorRun(RUNTIME === 'oci' ? 20 : 100);
    const fCpu0 = selfCpu();
    const floor = await floorRun(N);
    const floorCpu = selfCpu() - fCpu0;
    // The unsaturated floor: one container at a time, as paced pods are.
    const floorPaced = runcFloor ? summarize((await runcFloor.run(PACED_N, 1)).exitMs) : undefined;

    // 1. The burst: N pods, CONCURRENCY creates in flight.
    const names = Array.from({ length: N }, (_, i) => `p-${i}`);
    const cpu0 = readAll(cluster);
    const m0 = machineCpu();
    const t0 = performance.now();
    const stopProgress = progress('pods', () => {
      const ended = names.filter((n) => tracker.times.get(n)?.succeeded !== undefined).length;
      return `${names.filter((n) => tracker.times.get(n)?.sent !== undefined).length}/${N} created, ${ended} Succeeded, ${((ended / (performance.now() - t0)) * 1000).toFixed(1)} pods/s`;
    });
    const createMs = await inFlight(N, CONCURRENCY, async (i) => {
      tracker.at(names[i]!).sent = performance.now();
      await api.create('Pod', truePod(names[i]!));
    });
    await tracker.ended(names, TIMEOUT_MS).finally(stopProgress);
    const wallMs = performance.now() - t0;
    const cpu1 = readAll(cluster);
    const busy = busyPct(m0, machineCpu());

    // 2. Unsaturated: PACED_N pods at PACED_RATE/s, each measured alone.
    const paced = Array.from({ length: PACED_N }, (_, i) => `q-${i}`);
    await inFlight(PACED_N, PACED_N, async (i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / PACED_RATE));
      tracker.at(paced[i]!).sent = performance.now();
      await api.create('Pod', truePod(paced[i]!));
    });
    await tracker.ended(paced, 120_000);
    tracker.stop();

    const pods = [...tracker.times.entries()].filter(([n]) => names.includes(n)).map(([, t]) => t);
    const succeeded = pods.filter((t) => t.succeeded !== undefined).length;
    const failed = pods.filter((t) => t.failed).length;
    const startedSeen = pods.filter((t) => t.started !== undefined).length;
    const startup = tracker.stage(names, 'sent', 'started');
    const pacedStartup = tracker.stage(paced, 'sent', 'started');
    const stageRows = (ns: string[]) => ({
      'create sent → ADDED seen': tracker.stage(ns, 'sent', 'added'),
      'ADDED → bound (scheduler)': tracker.stage(ns, 'added', 'bound'),
      'bound → started (kubelet)': tracker.stage(ns, 'bound', 'started'),
      'started → Succeeded seen': tracker.stage(ns, 'started', 'succeeded'),
      'create sent → Succeeded': tracker.stage(ns, 'sent', 'succeeded'),
    });
    const stages = stageRows(names);
    const pacedStages = stageRows(paced);
    const podsPerSec = (N / wallMs) * 1000;
    const floorPerSec = (N / floor.wallMs) * 1000;
    const floorSpawn = summarize(floor.spawnMs);
    const floorExit = summarize(floor.exitMs);
    const cpu = cpuJson(cpu0, cpu1);
    const clusterCpu = Object.entries(cpu).filter(([k]) => !k.includes('(shared)')).reduce((a, [, v]) => a + v.cpu_s + v.children_cpu_s, 0);

    const floorWhat = runcFloor ? `\`runc run\` of the busybox \`true\` container` : '`true`';
    console.log(`pods benchmark (${RUNTIME} runtime) — ${N} pods running \`true\` (restartPolicy Never), ${CONCURRENCY} creates in flight over HTTPS, 2 nodes; floor: ${N} × ${floorWhat} spawned by Node, ${CONCURRENCY} at a time`);
    console.log('startup = create request sent → first watch event whose container status shows it started (running, or terminated with startedAt)');
    printTable([
      ['metric', 'kjobs', 'floor', 'ratio', 'target', 'met'],
      ['wall s (all Succeeded | all exited)', wallMs / 1000, floor.wallMs / 1000, wallMs / floor.wallMs, '', ''],
      ['pods/s', podsPerSec, floorPerSec, podsPerSec / floorPerSec, '>= 0.7 x floor', podsPerSec >= 0.7 * floorPerSec ? 'yes' : 'NO'],
      ['startup p50 ms (burst | spawn)', startup.p50, floorSpawn.p50, startup.p50 / floorSpawn.p50, '', ''],
      ['startup p99 ms (burst | spawn)', startup.p99, floorSpawn.p99, startup.p99 / floorSpawn.p99, '<= 100 ms', startup.p99 <= 100 ? 'yes' : 'NO'],
      [`startup p50 ms (${PACED_RATE} pods/s, unsaturated | spawn)`, pacedStartup.p50, floorSpawn.p50, pacedStartup.p50 / floorSpawn.p50, '', ''],
      floorPaced
        ? [`startup p99 ms (${PACED_RATE} pods/s, unsaturated | runc run alone, to exit)`, pacedStartup.p99, floorPaced.p99, pacedStartup.p99 / floorPaced.p99, '<= floor + 100 ms', pacedStartup.p99 <= floorPaced.p99 + 100 ? 'yes' : 'NO']
        : [`startup p99 ms (${PACED_RATE} pods/s, unsaturated | spawn)`, pacedStartup.p99, floorSpawn.p99, pacedStartup.p99 / floorSpawn.p99, '<= 100 ms', pacedStartup.p99 <= 100 ? 'yes' : 'NO'],
      ['sent → Succeeded p99 ms (burst | exit)', stages['create sent → Succeeded'].p99, floorExit.p99, stages['create sent → Succeeded'].p99 / floorExit.p99, '', ''],
      ['CPU ms per pod (cluster incl. children | Node spawner incl. children)', (1000 * clusterCpu) / N, (1000 * floorCpu) / N, clusterCpu / floorCpu, '', ''],
      [`creates/s through the API (${CONCURRENCY} in flight)`, (N / createMs) * 1000, '', '', '', ''],
    ]);
    console.log('\nwhere the time goes (per pod, ms):');
    printTable([
      ['stage', 'burst p50', 'burst p99', 'burst max', 'unsaturated p50', 'unsaturated p99'],
      ...Object.entries(stages).map(([k, s]) => [k, s.p50, s.p99, s.max, pacedStages[k as keyof typeof pacedStages].p50, pacedStages[k as keyof typeof pacedStages].p99]),
    ]);
    console.log(`\nCPU during the burst (wall ${(wallMs / 1000).toFixed(1)} s; machine busy ${busy.toFixed(0)} % of ${os.cpus().length} cores, all tenants):`);
    printTable(cpuRows(cpu0, cpu1, wallMs / 1000));

    const round2 = (s: { p50: number; p99: number }) => ({ p50: round(s.p50), p99: round(s.p99) });
    const result = {
      bench: 'pods', runtime: RUNTIME, machine: { ...machine(), loadavg_before: loadBefore, loadavg_after: load(), busy_pct_during_burst: round(busy) },
      pods: N, concurrency: CONCURRENCY, nodes: 2,
      wall_s: round(wallMs / 1000), pods_per_s: round(podsPerSec), succeeded, failed, started_seen: startedSeen,
      startup_ms: { p50: round(startup.p50), p99: round(startup.p99), max: round(startup.max) },
      startup_unsaturated_ms: { rate_per_s: PACED_RATE, pods: PACED_N, ...round2(pacedStartup) },
      stages_ms: Object.fromEntries(Object.entries(stages).map(([k, s]) => [k, round2(s)])),
      stages_unsaturated_ms: Object.fromEntries(Object.entries(pacedStages).map(([k, s]) => [k, round2(s)])),
      creates_per_s: round((N / createMs) * 1000),
      cpu_ms_per_pod: round((1000 * clusterCpu) / N),
      floor: { kind: runcFloor ? 'runc run' : 'spawn', wall_s: round(floor.wallMs / 1000), procs_per_s: round(floorPerSec), spawn_p50_ms: round(floorSpawn.p50), spawn_p99_ms: round(floorSpawn.p99), exit_p99_ms: round(floorExit.p99), cpu_ms_per_proc: round((1000 * floorCpu) / N), ...(floorPaced ? { alone_exit_p99_ms: round(floorPaced.p99) } : {}) },
      ratio_pods_per_s: round(podsPerSec / floorPerSec, 3),
      targets: { pods_per_s_ratio: 0.7, startup_p99_ms: floorPaced ? `floor + 100` : 100 },
      met: { pods_per_s: podsPerSec >= 0.7 * floorPerSec, startup_p99: startup.p99 <= 100, startup_p99_unsaturated: pacedStartup.p99 <= (floorPaced ? floorPaced.p99 + 100 : 100) },
      cpu,
    };
    // The pod network's own per-pod cost, beside its floor (only where pods get one: the OCI runtime).
    const network = RUNTIME === 'oci' ? await measureNetworkCost() : undefined;
    if (network) printNetworkCost(network);
    // Per-pod startup (sent → started) of both phases: the distribution `npm run charts` draws.
    const startups = (ns: string[]) => ns.flatMap((n) => {
      const t = tracker.times.get(n);
      return t?.sent !== undefined && t.started !== undefined ? [round(t.started - t.sent)] : [];
    });
    emitResult(network ? { ...result, pod_network: network } : result, { startup_ms: startups(names), startup_unsaturated_ms: startups(paced), floor_spawn_ms: floor.spawnMs.map((x) => round(x)) });
  } finally {
    await bc.stop();
    runcFloor?.close();
  }
}

/**
 * The OCI floor: `runc run` of a `true` container from Node, as the kubelet-agent's runs do minus
 * everything kjobs adds (image store, overlay, the launcher, the API). One read-only busybox root
 * file system shared by every run, a cgroup per run, its own runc state directory.
 */
class RuncFloor {
  private next = 0;
  private constructor(private readonly dir: string) {}

  static async create(): Promise<RuncFloor> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-runc-floor-'));
    const rootfs = path.join(dir, 'rootfs');
    mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    for (const d of ['proc', 'dev', 'sys', 'tmp', 'etc']) mkdirSync(path.join(rootfs, d), { recursive: true });
    writeFileSync(path.join(rootfs, 'bin', 'busybox'), readFileSync('/bin/busybox'), { mode: 0o755 });
    symlinkSync('busybox', path.join(rootfs, 'bin', 'true'));
    const config = {
      ociVersion: '1.0.2',
      process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['true'], env: ['PATH=/bin'], cwd: '/', noNewPrivileges: true, capabilities: { bounding: [], effective: [], permitted: [] } },
      root: { path: rootfs, readonly: true },
      hostname: 'floor',
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] }],
      linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }], resources: { devices: [{ allow: false, access: 'rwm' }] } },
    };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    return new RuncFloor(dir);
  }

  /** `total` runs, `concurrency` at a time: each `runc run --bundle … <id>` until it exits. */
  async run(total: number, concurrency: number): Promise<{ wallMs: number; spawnMs: number[]; exitMs: number[] }> {
    const spawnMs: number[] = [];
    const exitMs: number[] = [];
    const wallMs = await inFlight(total, concurrency, () => new Promise<void>((resolve, reject) => {
      const id = `floor-${process.pid}-${this.next++}`;
      const t0 = performance.now();
      const child = spawn('runc', ['--root', path.join(this.dir, 'state'), 'run', '--bundle', this.dir, id], { stdio: 'ignore' });
      child.once('spawn', () => spawnMs.push(performance.now() - t0));
      child.once('error', reject);
      child.once('exit', (code) => {
        exitMs.push(performance.now() - t0);
        if (code === 0) resolve();
        else reject(new Error(`runc run exited ${code}`));
      });
    }));
    return { wallMs, spawnMs, exitMs };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
    // runc removes each run's cgroup (/sys/fs/cgroup/*/<id>, no cgroupsPath) when the run ends.
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run();
