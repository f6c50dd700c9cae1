/**
 * The chart generator on fixture data: well-formed SVG (an XML parser validates it), both axes,
 * one circle per data point per series, tick labels and the target rules.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { lastPerSize, podsPerRunChart, podsRatioChart, podsStartupChart, scaleBytesChart, scaleJobRateChart, scaleListChart, scaleWatchChart, soakRateChart, soakRssChart, type PodsRun, type ScaleRun } from '../../scripts/charts/bench-charts.js';
import { lineChart, niceTicks, percentilePoints } from '../../scripts/charts/svg-chart.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['g', 'circle', 'text', 'line', 'polyline'].includes(name) });

/** Parse, failing the test on malformed XML; returns the root <svg>. */
function parse(svg: string): Node {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = parser.parse(svg) as { svg: Node };
  expect(doc.svg.xmlns).toBe('http://www.w3.org/2000/svg');
  return doc.svg;
}
const groups = (svg: Node, cls: string) => (svg.g as Node[]).filter((g) => g.class === cls);
const texts = (g: Node) => ((g.text as (Node | string)[] | undefined) ?? []).map((t) => (typeof t === 'string' ? t : String(t['#text'])));
/** Circles per series name. */
const pointsPer = (svg: Node) => Object.fromEntries(groups(svg, 'series').map((g) => [g['data-name'], ((g.circle as Node[] | undefined) ?? []).length]));

const runs: PodsRun[] = [
  { date: '2026-11-27', session: 1, pods_per_s: 44, floor: { procs_per_s: 274 } },
  { date: '2026-11-27', session: 1, pods_per_s: 109, floor: { procs_per_s: 475 } },
  { date: '2026-11-28', session: 2, pods_per_s: 60, floor: { procs_per_s: 80 }, ratio_pods_per_s: 0.75 },
  { date: '2026-12-07', session: 3, pods_per_s: 390, floor: { procs_per_s: 158 }, floor_disturbed: true },
];

describe('lineChart', () => {
  it('draws both axes, one circle per point and a polyline per series, and labels the ticks', () => {
    const svg = parse(lineChart({
      title: 'T & <t>', xLabel: 'x', yLabel: 'y',
      series: [{ name: 'a', color: '#000', points: [[0, 1], [1, 3], [2, 2]] }, { name: 'b', color: '#111', dashed: true, points: [[0, 0.5], [2, 4.5]] }],
      rules: [{ y: 2.5, label: 'target', color: '#f00' }],
    }));
    expect(svg.path).toMatchObject({ class: 'axes' });
    expect(pointsPer(svg)).toEqual({ a: 3, b: 2 });
    expect(groups(svg, 'series').map((g) => (g.polyline as Node[]).length)).toEqual([1, 1]);
    expect(texts(groups(svg, 'y-axis')[0]!)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(texts(groups(svg, 'x-axis')[0]!)).toEqual(['0', '0.5', '1', '1.5', '2']);
    expect(texts(groups(svg, 'rule')[0]!)).toEqual(['target']);
    expect(texts(svg)).toContain('T & <t>');
  });

  it('on a log axis leaves out values ≤ 0 and ticks powers of ten', () => {
    const svg = parse(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 'a', color: '#000', points: [[1, 0], [2, 3], [3, 40], [4, 900]] }] }));
    expect(pointsPer(svg)).toEqual({ a: 3 });
    expect(texts(groups(svg, 'y-axis')[0]!)).toEqual(['1', '10', '100', '1,000']);
  });
});

describe('niceTicks and percentilePoints', () => {
  it.each([
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 987, [0, 200, 400, 600, 800]],
    [3, 3, [3]],
  ])('niceTicks(%d, %d)', (lo, hi, want) => {
    expect(niceTicks(lo, hi)).toEqual(want);
  });
  it('gives nearest-rank percentiles', () => {
    const p = percentilePoints(Array.from({ length: 200 }, (_, i) => 200 - i));
    expect(p).toHaveLength(100);
    expect(p[49]).toEqual([50, 100]);
    expect(p[98]).toEqual([99, 198]);
    expect(p[99]).toEqual([100, 200]);
  });
});

describe('benchmark charts', () => {
  it('pods per run: kjobs, the floor and 0.7 × floor for every run, sessions on the x axis', () => {
    const svg = parse(podsPerRunChart(runs));
    expect(pointsPer(svg)).toEqual({ 'kjobs pods/s': 4, 'floor: spawns/s': 4, '0.7 × floor (target)': 4 });
    expect(texts(groups(svg, 'x-axis')[0]!)).toEqual(['S1', 'S2', 'S3']);
  });

  it('pods ratio: runs with a disturbed floor off the line, the target as a rule', () => {
    const svg = parse(podsRatioChart(runs));
    expect(pointsPer(svg)).toEqual({ ratio: 3, 'floor disturbed': 1 });
    expect(texts(groups(svg, 'rule')[0]!)).toEqual(['target 0.7']);
  });

  it('startup distribution: 100 percentiles per phase', () => {
    const ms = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
    const svg = parse(podsStartupChart({ date: '2026-12-07T14:00:00Z', commit: 'abc1234', samples: { startup_ms: ms(1000, (i) => 10 + i), startup_unsaturated_ms: ms(50, (i) => 20 + i), floor_spawn_ms: ms(1000, () => 2) } }));
    expect(pointsPer(svg)).toEqual({ 'burst (1000 pods)': 100, 'alone, 5 pods/s (50)': 100, 'floor: spawn()': 100 });
    expect(texts(svg)[0]).toBe('pods: startup latency distribution (2026-12-07, abc1234)');
  });

  it('soak: a series per process plus Redis, and pods/s per sample against the rate', () => {
    const samples = [0, 60, 120].map((t, i) => ({ t_s: 150 + t, pods_per_s: i ? 99 + i : 0, rss_mib: { 'api-server': 180 + i, scheduler: 120 }, redis: { used_mib: 260 + i } }));
    const report = { date: '2026-12-07T14:00:00Z', target_pods_per_s: 100, samples };
    expect(pointsPer(parse(soakRssChart(report)))).toEqual({ 'api-server': 3, scheduler: 3, 'Redis used_memory': 3 });
    const rate = parse(soakRateChart(report));
    expect(pointsPer(rate)).toEqual({ 'pods/s (per sample)': 2 });
    expect(groups(rate, 'rule').map((g) => texts(g)[0])).toEqual(['rate 100', 'target 90 %']);
  });

  it('scale: the last run per size, sizes ticked 1k/10k/100k, one point per size per series', () => {
    const run = (size: number, date: string): ScaleRun => ({
      size, machine: { date },
      store: { redis_bytes_per_finished_pod: 3000, redis_bytes_per_finished_pod_with_log: 7000, redis_bytes_per_job: 4000, pod_json_bytes: 1900 },
      list: { https: { s: size / 50_000 }, nats: { s: size / 40_000 }, floor_redis_s: size / 100_000 },
      watch: [1, 10, 100].map((w) => ({ watchers: w, p99_ms: w * 2, raw_p99_ms: w })),
      jobs: [{ mode: 'Indexed', completions: size, rate: [{ t_s: 5, per_s: 90 }, { t_s: 10, per_s: 95 }] }, { mode: 'NonIndexed', completions: size, rate: [{ t_s: 5, per_s: 80 }] }],
    });
    const runs = lastPerSize([run(10_000, '2026-12-06'), run(1000, '2026-12-07'), run(10_000, '2026-12-07T16:00:00Z')]);
    expect(runs.map((r) => [r.size, r.machine?.date])).toEqual([[1000, '2026-12-07'], [10_000, '2026-12-07T16:00:00Z']]);
    const bytes = parse(scaleBytesChart(runs));
    expect(texts(groups(bytes, 'x-axis')[0]!)).toEqual(['1k', '10k']);
    expect(pointsPer(bytes)).toEqual({ 'finished pod, at rest': 2, 'pod + its 2 log entries': 2, 'suspended Job, at rest': 2, "the pod's JSON (floor)": 2 });
    expect(texts(groups(bytes, 'rule')[0]!)).toEqual(['target 3.5 KB']);
    expect(pointsPer(parse(scaleListChart(runs)))).toEqual({ HTTPS: 2, NATS: 2, 'floor: HGET from Redis': 2 });
    expect(pointsPer(parse(scaleWatchChart(runs)))).toEqual({ 'kjobs, 1k stored': 3, 'raw NATS, 1k': 3, 'kjobs, 10k stored': 3, 'raw NATS, 10k': 3 });
    expect(pointsPer(parse(scaleJobRateChart(runs[1]!)))).toEqual({ Indexed: 2, NonIndexed: 1 });
  });
});
