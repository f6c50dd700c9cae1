/**
 * `npm run charts`: the SVG charts of docs/benchmarks.md, from the recorded benchmark results
 * (bench/results/: pods.jsonl, pods-samples.json, scale.jsonl, soak.json; `BENCH_RECORD=1 npm run bench -- pods`
 * and `BENCH_RECORD=1 npm run soak` add to them), written to docs/images/*.svg. A chart whose data
 * is missing is skipped with a line saying so.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastPerSize, podsPerRunChart, podsRatioChart, podsStartupChart, scaleBytesChart, scaleJobRateChart, scaleListChart, scaleWatchChart, soakRateChart, soakRssChart, type PodsRun, type PodsSamples, type ScaleRun, type SoakReport } from './charts/bench-charts.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'bench', 'results');
const images = path.join(root, 'docs', 'images');

function read<T>(file: string, parse: (text: string) => T): T | undefined {
  const f = path.join(results, file);
  return existsSync(f) ? parse(readFileSync(f, 'utf8')) : undefined;
}

const podsRuns = read('pods.jsonl', (t) => t.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PodsRun & { runtime?: string; pods?: number; machine?: { date?: string } }))
  // A benchmark's own line dates itself in machine.date; the transcribed ones carry date.
  ?.map((r) => ({ ...r, date: r.date ?? r.machine?.date ?? '' }))
  // One kind of run per chart: the process runtime's 1,000-pod burst.
  ?.filter((r) => (r.runtime ?? 'process') === 'process' && (r.pods ?? 1000) === 1000);
const podsSamples = read('pods-samples.json', (t) => JSON.parse(t) as PodsSamples);
const scaleRuns = read('scale.jsonl', (t) => t.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ScaleRun & { note?: string }));
// The curves by size: the plain runs (one with a note ran a size with other options).
const scale = scaleRuns && lastPerSize(scaleRuns.filter((r) => !r.note));
// The pods/s curve: the run with the most completions in all (both Jobs over one of the same length).
const completionsOf = (r: ScaleRun) => r.jobs.reduce((n, j) => n + (j.completions ?? 0), 0);
const longestJobs = scaleRuns?.reduce((a, b) => (completionsOf(b) >= completionsOf(a) ? b : a));
const soak = read('soak.json', (t) => JSON.parse(t) as SoakReport);

const charts: [string, string | undefined][] = [
  ['bench-pods-per-run.svg', podsRuns?.length ? podsPerRunChart(podsRuns) : undefined],
  ['bench-pods-ratio.svg', podsRuns?.length ? podsRatioChart(podsRuns) : undefined],
  ['bench-pods-startup.svg', podsSamples ? podsStartupChart(podsSamples) : undefined],
  ['scale-bytes.svg', scale?.length ? scaleBytesChart(scale) : undefined],
  ['scale-list.svg', scale?.length ? scaleListChart(scale) : undefined],
  ['scale-watch.svg', scale?.length ? scaleWatchChart(scale) : undefined],
  ['scale-job-rate.svg', longestJobs ? scaleJobRateChart(longestJobs) : undefined],
  ['soak-memory.svg', soak?.samples.length ? soakRssChart(soak) : undefined],
  ['soak-pods-per-s.svg', soak?.samples.length ? soakRateChart(soak) : undefined],
];
for (const [name, svg] of charts) {
  if (svg === undefined) {
    console.log(`skipped ${name}: no data in ${path.relative(root, results)}`);
    continue;
  }
  writeFileSync(path.join(images, name), svg);
  console.log(`wrote docs/images/${name}`);
}
