/**
 * The scale benchmark's pure parts (bench/scale.ts; tested in tests/bench/scale.test.ts): its
 * arguments, the pods/s curve of a long Job, cost per item at its start and end, and how a figure
 * grows with size.
 */

export const SIZES = [1000, 10_000, 100_000] as const;

export interface ScaleArgs {
  sizes: number[];
  /** Completions of each of the two Jobs (default: the size). */
  jobCompletions?: number;
  /** Cron boundaries (default 3; 1 at the smallest size). */
  cronMinutes?: number;
  /** Which of the two Jobs to run (default both, Indexed first). */
  jobModes?: ('Indexed' | 'NonIndexed')[];
}

const USAGE = 'usage: npm run bench -- scale [--size 1000|10000|100000]… [--job-completions N] [--job-mode Indexed|NonIndexed] [--cron-minutes M]';

/** Parse `--size N` (repeatable, or comma-separated), `--job-completions N`, `--job-mode MODE`, `--cron-minutes M`; throws with the usage on anything else. */
export function parseScaleArgs(argv: string[]): ScaleArgs {
  const sizes: number[] = [];
  const out: ScaleArgs = { sizes };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !/^\d+$/.test(v) || n < min) throw new Error(`${flag} wants an integer >= ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? [argv[i]!.slice(0, argv[i]!.indexOf('=')), argv[i]!.slice(argv[i]!.indexOf('=') + 1)] : [argv[i]!, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--size') {
      for (const s of (value() ?? '').split(',')) {
        const n = num('--size', s, 1);
        if (!(SIZES as readonly number[]).includes(n)) throw new Error(`--size is one of ${SIZES.join(', ')}, got ${n}\n${USAGE}`);
        if (!sizes.includes(n)) sizes.push(n);
      }
    } else if (flag === '--job-completions') out.jobCompletions = num(flag, value(), 1);
    else if (flag === '--cron-minutes') out.cronMinutes = num(flag, value(), 1);
    else if (flag === '--job-mode') {
      const m = value();
      if (m !== 'Indexed' && m !== 'NonIndexed') throw new Error(`--job-mode is Indexed or NonIndexed, got ${JSON.stringify(m)}\n${USAGE}`);
      out.jobModes = [m];
    } else throw new Error(`unknown argument ${JSON.stringify(argv[i])}\n${USAGE}`);
  }
  if (!sizes.length) sizes.push(...SIZES);
  sizes.sort((a, b) => a - b);
  return out;
}

/** Completed per second between consecutive samples `{ t_s, done }` (the curve of a long Job). */
export function rateSeries(samples: { t_s: number; done: number }[]): { t_s: number; per_s: number }[] {
  const out: { t_s: number; per_s: number }[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i]!.t_s - samples[i - 1]!.t_s;
    if (dt > 0) out.push({ t_s: samples[i]!.t_s, per_s: (samples[i]!.done - samples[i - 1]!.done) / dt });
  }
  return out;
}

/**
 * Cost per item over the first and the last `share` of the items: `samples` are cumulative
 * `{ done, cost }` readings (e.g. completions and CPU seconds). Returns cost per item in each
 * window, NaN where a window has no items.
 */
export function costAtEnds(samples: { done: number; cost: number }[], total: number, share = 0.1): { start: number; end: number } {
  const per = (a?: { done: number; cost: number }, b?: { done: number; cost: number }) => (a && b && b.done > a.done ? (b.cost - a.cost) / (b.done - a.done) : NaN);
  const startEnd = samples.find((s) => s.done >= total * share);
  const endStart = samples.filter((s) => s.done <= total * (1 - share)).at(-1);
  return { start: per(samples[0], startEnd), end: per(endStart, samples.at(-1)) };
}

/**
 * Completions per second over each quarter of the completions (`samples` cumulative `{ t_s, done }`):
 * the time from the first sample at or past k/4 of `total` to the first at or past (k+1)/4.
 */
export function quarterRates(samples: { t_s: number; done: number }[], total: number): number[] {
  const at = (d: number) => samples.find((s) => s.done >= d);
  return [0, 1, 2, 3].map((k) => {
    const a = k === 0 ? samples[0] : at((total * k) / 4);
    const b = at((total * (k + 1)) / 4);
    return a && b && b.t_s > a.t_s ? (b.done - a.done) / (b.t_s - a.t_s) : NaN;
  });
}

/**
 * How a figure grows with size: the exponent k of v ∝ n^k between consecutive sizes (1: linear,
 * 0: flat, > 1: worse than linear). Points with a non-positive value are skipped.
 */
export function growthExponents(points: { n: number; v: number }[]): number[] {
  const p = points.filter((x) => x.n > 0 && x.v > 0).sort((a, b) => a.n - b.n);
  return p.slice(1).map((b, i) => Math.log(b.v / p[i]!.v) / Math.log(b.n / p[i]!.n));
}
