/**
 * The benchmark charts of docs/benchmarks.md, from the recorded results (bench/results/): each
 * function takes the parsed data and returns SVG text, so they are tested on fixtures.
 */
import { lineChart, percentilePoints, type Series } from './svg-chart.js';

/** One line of bench/results/pods.jsonl (what bench/pods.ts prints, or a run transcribed from the docs). */
export interface PodsRun {
  date: string;
  session?: number;
  label?: string;
  commit?: string;
  pods_per_s: number;
  floor: { procs_per_s: number };
  ratio_pods_per_s?: number;
  targets?: { pods_per_s_ratio?: number };
  /** Something else took the machine while the floor ran (its ratio says nothing). */
  floor_disturbed?: boolean;
}

/** bench/results/pods-samples.json: per-pod startup of the last recorded pods run. */
export interface PodsSamples {
  date: string;
  commit?: string;
  samples: { startup_ms: number[]; startup_unsaturated_ms: number[]; floor_spawn_ms: number[] };
}

/** What of a soak report (bench/results/soak.json) the charts use. */
export interface SoakReport {
  date: string;
  commit?: string;
  target_pods_per_s: number;
  samples: { t_s: number; pods_per_s: number; rss_mib: Record<string, number>; redis: { used_mib: number } }[];
}

const BLUE = '#1f6fd1';
const GREY = '#7a7a7a';
const RED = '#c0392b';
const PALETTE = ['#1f6fd1', '#e67e22', '#27ae60', '#8e44ad', '#c0392b', '#16a085', '#d35400', '#2c3e50', '#b7950b', '#7f8c8d', '#e84393', '#0984e3'];

/** Run numbers at which a new session (or day, for runs without one) starts: `S<n>` / `MM-DD`. */
function sessionTicks(runs: PodsRun[]): { x: number; label: string }[] {
  const out: { x: number; label: string }[] = [];
  runs.forEach((r, i) => {
    const key = (x: PodsRun) => (x.session !== undefined ? `S${x.session}` : x.date.slice(5, 10));
    if (!i || key(runs[i - 1]!) !== key(r)) out.push({ x: i + 1, label: key(r) });
  });
  return out;
}

/** "run, in order — S1 2026-11-27, S2 …": which day each session started. */
function runAxisLabel(runs: PodsRun[]): string {
  const days = new Map<number, string>();
  for (const r of runs) if (r.session !== undefined && !days.has(r.session)) days.set(r.session, r.date.slice(0, 10));
  return days.size ? `run, in order — sessions: ${[...days].map(([n, d]) => `S${n} ${d}`).join(', ')}` : 'run, in order';
}

/** kjobs pods/s beside the spawn floor measured in the same run, run by run. */
export function podsPerRunChart(runs: PodsRun[]): string {
  return lineChart({
    title: 'pods: 1,000 true pods — kjobs pods/s against the floor of the same run',
    xLabel: runAxisLabel(runs), yLabel: 'per second',
    xTicks: sessionTicks(runs),
    series: [
      { name: 'kjobs pods/s', color: BLUE, points: runs.map((r, i) => [i + 1, r.pods_per_s]) },
      { name: 'floor: spawns/s', color: GREY, dashed: true, points: runs.map((r, i) => [i + 1, r.floor.procs_per_s]) },
      { name: '0.7 × floor (target)', color: RED, dashed: true, noLine: true, points: runs.map((r, i) => [i + 1, 0.7 * r.floor.procs_per_s]) },
    ],
  });
}

const ratioOf = (r: PodsRun) => r.ratio_pods_per_s ?? r.pods_per_s / r.floor.procs_per_s;

/** kjobs ÷ floor per run, with the 0.7 target; runs whose floor was disturbed as grey rings off the line. */
export function podsRatioChart(runs: PodsRun[]): string {
  const target = runs.find((r) => r.targets?.pods_per_s_ratio)?.targets?.pods_per_s_ratio ?? 0.7;
  return lineChart({
    title: 'pods: kjobs pods/s ÷ floor spawns/s, per run',
    xLabel: runAxisLabel(runs), yLabel: 'ratio',
    xTicks: sessionTicks(runs),
    series: [
      { name: 'ratio', color: BLUE, points: runs.flatMap((r, i) => (r.floor_disturbed ? [] : [[i + 1, ratioOf(r)] as [number, number]])) },
      { name: 'floor disturbed', color: GREY, dashed: true, noLine: true, points: runs.flatMap((r, i) => (r.floor_disturbed ? [[i + 1, ratioOf(r)] as [number, number]] : [])) },
    ],
    rules: [{ y: target, label: `target ${target}`, color: RED }],
  });
}

/** Startup latency as percentiles (log scale): the burst, pods arriving alone, the floor's spawn. */
export function podsStartupChart(s: PodsSamples): string {
  const series: Series[] = [
    { name: `burst (${s.samples.startup_ms.length} pods)`, color: BLUE, points: percentilePoints(s.samples.startup_ms) },
    { name: `alone, 5 pods/s (${s.samples.startup_unsaturated_ms.length})`, color: '#27ae60', points: percentilePoints(s.samples.startup_unsaturated_ms) },
    { name: 'floor: spawn()', color: GREY, dashed: true, points: percentilePoints(s.samples.floor_spawn_ms) },
  ];
  return lineChart({
    title: `pods: startup latency distribution (${s.date.slice(0, 10)}${s.commit ? `, ${s.commit}` : ''})`,
    xLabel: 'percentile of pods', yLabel: 'create sent → container started, ms (log)',
    logY: true, series,
    xTicks: [1, 25, 50, 75, 90, 99].map((p) => ({ x: p, label: `p${p}` })),
  });
}

const minutes = (t: number) => Math.round((t / 60) * 100) / 100;

/** RSS of every process and Redis' used memory over the soak's measured window. */
export function soakRssChart(r: SoakReport): string {
  const names = Object.keys(r.samples[0]?.rss_mib ?? {});
  const series: Series[] = names.map((n, i) => ({ name: n, color: PALETTE[i % PALETTE.length]!, points: r.samples.map((s) => [minutes(s.t_s), s.rss_mib[n] ?? NaN] as [number, number]).filter((p) => Number.isFinite(p[1])) }));
  series.push({ name: 'Redis used_memory', color: '#000000', dashed: true, points: r.samples.map((s) => [minutes(s.t_s), s.redis.used_mib]) });
  return lineChart({
    title: `soak: memory over time at ${r.target_pods_per_s} pods/s (${r.date.slice(0, 10)})`,
    xLabel: 'minutes since the load started', yLabel: 'MiB', series, height: 440,
  });
}

/** Pods completed per second between samples, against the soak's rate and its 90 % target. */
export function soakRateChart(r: SoakReport): string {
  return lineChart({
    title: `soak: pods/s over time (${r.date.slice(0, 10)})`,
    xLabel: 'minutes since the load started', yLabel: 'pods/s',
    series: [{ name: 'pods/s (per sample)', color: BLUE, points: r.samples.slice(1).map((s) => [minutes(s.t_s), s.pods_per_s]) }],
    rules: [{ y: r.target_pods_per_s, label: `rate ${r.target_pods_per_s}`, color: GREY }, { y: 0.9 * r.target_pods_per_s, label: 'target 90 %', color: RED }],
  });
}

/** What of a line of bench/results/scale.jsonl (bench/scale.ts) the charts use. */
export interface ScaleRun {
  size: number;
  machine?: { date?: string };
  commit?: string;
  store: { redis_bytes_per_finished_pod: number; redis_bytes_per_finished_pod_with_log: number; redis_bytes_per_job: number; pod_json_bytes: number };
  list: { https: { s: number }; nats: { s: number }; floor_redis_s: number };
  watch: { watchers: number; p99_ms: number; raw_p99_ms: number }[];
  jobs: { mode: string; completions: number; rate: { t_s: number; per_s: number }[] }[];
}

/** The last recorded run of each size, smallest first. */
export function lastPerSize(runs: ScaleRun[]): ScaleRun[] {
  const by = new Map<number, ScaleRun>();
  for (const r of runs) by.set(r.size, r);
  return [...by.values()].sort((a, b) => a.size - b.size);
}

/** Sizes on a log axis: x = log10(size), ticked 1k / 10k / 100k. */
const sizeX = (n: number) => Math.log10(n);
const sizeTicks = (runs: ScaleRun[]) => runs.map((r) => ({ x: sizeX(r.size), label: r.size >= 1000 ? `${r.size / 1000}k` : String(r.size) }));
const dateOf = (runs: ScaleRun[]) => (runs.at(-1)?.machine?.date ?? '').slice(0, 10);

/** Redis bytes per stored object against the size, with the 3.5 KB target and the pod's own JSON. */
export function scaleBytesChart(runs: ScaleRun[]): string {
  const pts = (f: (r: ScaleRun) => number) => runs.map((r) => [sizeX(r.size), f(r)] as [number, number]);
  return lineChart({
    title: `scale: Redis bytes per stored object (${dateOf(runs)})`,
    xLabel: 'objects stored (N finished pods and N Jobs)', yLabel: 'bytes per object',
    xTicks: sizeTicks(runs),
    series: [
      { name: 'finished pod, at rest', color: BLUE, points: pts((r) => r.store.redis_bytes_per_finished_pod) },
      { name: 'pod + its 2 log entries', color: '#e67e22', points: pts((r) => r.store.redis_bytes_per_finished_pod_with_log) },
      { name: 'suspended Job, at rest', color: '#27ae60', points: pts((r) => r.store.redis_bytes_per_job) },
      { name: "the pod's JSON (floor)", color: GREY, dashed: true, points: pts((r) => r.store.pod_json_bytes) },
    ],
    rules: [{ y: 3584, label: 'target 3.5 KB', color: RED }],
  });
}

/** Wall time of a full paged list of every pod against the size (log y), with the Redis floor. */
export function scaleListChart(runs: ScaleRun[]): string {
  const pts = (f: (r: ScaleRun) => number) => runs.map((r) => [sizeX(r.size), f(r)] as [number, number]);
  return lineChart({
    title: `scale: list every pod, limit=500 (${dateOf(runs)})`,
    xLabel: 'pods stored', yLabel: 'seconds (log)', logY: true,
    xTicks: sizeTicks(runs),
    series: [
      { name: 'HTTPS', color: BLUE, points: pts((r) => r.list.https.s) },
      { name: 'NATS', color: '#e67e22', points: pts((r) => r.list.nats.s) },
      { name: 'floor: HGET from Redis', color: GREY, dashed: true, points: pts((r) => r.list.floor_redis_s) },
    ],
    rules: [{ y: 2, label: 'target at 100k: 2 s', color: RED }],
  });
}

/** Watch delivery p99 against the number of watchers, one series per size, with raw NATS dashed. */
export function scaleWatchChart(runs: ScaleRun[]): string {
  const series: Series[] = runs.flatMap((r, i) => [
    { name: `kjobs, ${r.size / 1000}k stored`, color: PALETTE[i % PALETTE.length]!, points: r.watch.map((w) => [Math.log10(w.watchers), w.p99_ms] as [number, number]) },
    { name: `raw NATS, ${r.size / 1000}k`, color: PALETTE[i % PALETTE.length]!, dashed: true, points: r.watch.map((w) => [Math.log10(w.watchers), w.raw_p99_ms] as [number, number]) },
  ]);
  return lineChart({
    title: `scale: watch delivery p99 at 1,000 creates/s (${dateOf(runs)})`,
    xLabel: 'watchers on pods (one NATS connection each, one process)', yLabel: 'ms (log)', logY: true,
    xTicks: [1, 10, 100].map((w) => ({ x: Math.log10(w), label: String(w) })),
    series,
  });
}

/** Pods/s over time of the big Jobs of one run (Indexed and NonIndexed). */
export function scaleJobRateChart(run: ScaleRun): string {
  return lineChart({
    title: `scale: a Job of ${run.jobs[0]?.completions ?? '?'} completions, pods/s over time (${run.size / 1000}k stored, ${(run.machine?.date ?? '').slice(0, 10)})`,
    xLabel: 'seconds since the Job was created', yLabel: 'pods/s (5 s steps)',
    series: run.jobs.map((j, i) => ({ name: j.mode, color: PALETTE[i % PALETTE.length]!, points: j.rate.map((p) => [p.t_s, p.per_s] as [number, number]) })),
  });
}
