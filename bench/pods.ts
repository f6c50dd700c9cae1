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
 * `--runtime=oci`: the nodes run pods as runc containers from the local registry's busybox image
 * (pulled during the warm-up), and the floor is `runc run` of the same `true` container (busybox's
 * root file system, read-only, no overlay) spawned by Node at the same concurrency; the startup
 * target is then "p99 at 5 pods/s within 100 ms of the floor's p99". Default `--runtime=process`.
 * Where the pods get a pod network, a second floor runs the same containers each in a network
 * namespace set up and torn down as a pod's (netns, CNI loopback, bridge + host-local), so that
 * the runtime's ratio and the network's cost can be told apart.
 *
 * Environment: BENCH_PODS (1000; 300 with --runtime=oci), BENCH_POD_NETWORK (unset: the agents' default for oci,
 * `off` for process — that run measures the control plane; `off` measures containers without their network namespaces), BENCH_CONCURRENCY (64), BENCH_PACED_PODS (50), BENCH_TIMEOUT_S (600),
 * BENCH_PROFILE_DIR (unset: with it, every service writes a CPU profile there; all benchmarks),
 * BENCH_HOME_DIR (the repo's .kjobs/: where bench clusters keep their state), BENCH_KEEP_HOME=1 (keep
 * that state, the services' logs among it, after the run).
 */
import os from 'node:os';
import type { Pod } from '@kjobs/api';
import { startBenchCluster } from './support/bench-cluster.js';
import { RuncFloor, spawnFloor } from './support/floors.js';
import { busyPct, cpuJson, cpuRows, load, machineCpu, readAll, round, selfCpu } from './support/measure.js';
import { PodTracker } from './support/pod-tracker.js';
import { emitResult, inFlight, machine, printTable, progress, summarize } from './support/util.js';
import { benchNetwork, floorNetwork, measureNetworkCost, printNetworkCost } from './support/pod-network.js';

const POD_NETWORK = process.env.BENCH_POD_NETWORK !== 'off';
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
    // Where pods get a network: the same runs, each in a namespace of its own set up and torn down
    // by the agent's pod network code (netns, CNI loopback, bridge + host-local) on a node network
    // of the bench's own.
    let netFloor: { wallMs: number; cpu: number } | undefined;
    if (runcFloor && POD_NETWORK) {
      const made = await benchNetwork();
      if (!('skipped' in made)) {
        try {
          const network = floorNetwork(made.net);
          await runcFloor.run(20, CONCURRENCY, network);
          const c0 = selfCpu();
          const { wallMs: w } = await runcFloor.run(N, CONCURRENCY, network);
          netFloor = { wallMs: w, cpu: selfCpu() - c0 };
        } finally {
          await made.close();
        }
      }
    }
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
      ...(netFloor ? [['pods/s | runc run, each in a pod network namespace (netns, CNI ADD/DEL)', podsPerSec, (N / netFloor.wallMs) * 1000, podsPerSec / ((N / netFloor.wallMs) * 1000), '>= 0.7 x floor', podsPerSec >= (0.7 * N * 1000) / netFloor.wallMs ? 'yes' : 'NO']] : []),
      ['startup p50 ms (burst | spawn)', startup.p50, floorSpawn.p50, startup.p50 / floorSpawn.p50, '', ''],
      ['startup p99 ms (burst | spawn)', startup.p99, floorSpawn.p99, startup.p99 / floorSpawn.p99, '<= 100 ms', startup.p99 <= 100 ? 'yes' : 'NO'],
      [`startup p50 ms (${PACED_RATE} pods/s, unsaturated | spawn)`, pacedStartup.p50, floorSpawn.p50, pacedStartup.p50 / floorSpawn.p50, '', ''],
      floorPaced
        ? [`startup p99 ms (${PACED_RATE} pods/s, unsaturated | runc run alone, to exit)`, pacedStartup.p99, floorPaced.p99, pacedStartup.p99 / floorPaced.p99, '<= floor + 100 ms', pacedStartup.p99 <= floorPaced.p99 + 100 ? 'yes' : 'NO']
        : [`startup p99 ms (${PACED_RATE} pods/s, unsaturated | spawn)`, pacedStartup.p99, floorSpawn.p99, pacedStartup.p99 / floorSpawn.p99, '<= 100 ms', pacedStartup.p99 <= 100 ? 'yes' : 'NO'],
      ['sent → Succeeded p99 ms (burst | exit)', stages['create sent → Succeeded'].p99, floorExit.p99, stages['create sent → Succeeded'].p99 / floorExit.p99, '', ''],
      ['CPU ms per pod (cluster incl. children | Node spawner incl. children)', (1000 * clusterCpu) / N, (1000 * floorCpu) / N, clusterCpu / floorCpu, '', ''],
      ...(netFloor ? [['CPU ms per pod | the floor with pod networks', (1000 * clusterCpu) / N, (1000 * netFloor.cpu) / N, clusterCpu / netFloor.cpu, '', '']] : []),
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
      ...(netFloor ? { floor_with_pod_network: { wall_s: round(netFloor.wallMs / 1000), procs_per_s: round((N / netFloor.wallMs) * 1000), cpu_ms_per_proc: round((1000 * netFloor.cpu) / N) } } : {}),
      ratio_pods_per_s: round(podsPerSec / floorPerSec, 3),
      ...(netFloor ? { ratio_pods_per_s_floor_with_pod_network: round(podsPerSec / ((N / netFloor.wallMs) * 1000), 3) } : {}),
      targets: { pods_per_s_ratio: 0.7, startup_p99_ms: floorPaced ? `floor + 100` : 100 },
      met: { pods_per_s: podsPerSec >= 0.7 * floorPerSec, ...(netFloor ? { pods_per_s_floor_with_pod_network: podsPerSec >= (0.7 * N * 1000) / netFloor.wallMs } : {}), startup_p99: startup.p99 <= 100, startup_p99_unsaturated: pacedStartup.p99 <= (floorPaced ? floorPaced.p99 + 100 : 100) },
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

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run();
