/** Helpers shared by the benchmarks: percentiles, tables, a paced loop, machine facts, results, progress. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(ms: number[]): { p50: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export function printTable(rows: (string | number)[][]): void {
  const str = rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c)));
  const w = str[0]!.map((_, i) => Math.max(...str.map((r) => r[i]!.length)));
  for (const r of str) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('   '));
}

export function machine(): { cpus: number; cpu: string; node: string; date: string } {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString() };
}

/** Run `fn` `total` times keeping `concurrency` in flight; returns wall ms. */
export async function inFlight(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await fn(next++);
  }));
  return performance.now() - t0;
}

/** Start `fn` at a fixed rate (per second) for `total` calls; returns each call's latency in ms. */
export async function paced(total: number, perSecond: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const lat: number[] = [];
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  let failed: { error: unknown } | undefined;
  for (let i = 0; i < total && !failed; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const s = performance.now();
    // Handled at once: a call failing while the loop still waits would be an unhandled rejection,
    // which ends the process past every `finally` (a crashed run left its nats-server running).
    pending.push(fn(i).then(() => void lat.push(performance.now() - s), (error: unknown) => void (failed ??= { error })));
  }
  await Promise.all(pending);
  if (failed) throw failed.error;
  return lat;
}

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** The short commit of the working tree, `+` when it has changes; undefined outside git. */
export function commitOf(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+` : head;
  } catch {
    return undefined;
  }
}

/**
 * Print the benchmark's final JSON line. With BENCH_RECORD=1 also append it, with the commit, to
 * bench/results/<bench>.jsonl (the history `npm run charts` draws) and write `samples` (per-pod
 * figures too long for the line) to bench/results/<bench>-samples.json.
 */
export function emitResult(result: { bench: string } & Record<string, unknown>, samples?: unknown): void {
  console.log(JSON.stringify(result));
  if (process.env.BENCH_RECORD !== '1') return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const commit = commitOf();
  appendFileSync(path.join(RESULTS_DIR, `${result.bench}.jsonl`), `${JSON.stringify({ ...result, ...(commit ? { commit } : {}) })}\n`);
  if (samples !== undefined) writeFileSync(path.join(RESULTS_DIR, `${result.bench}-samples.json`), `${JSON.stringify({ bench: result.bench, date: new Date().toISOString(), ...(commit ? { commit } : {}), samples })}\n`);
  console.error(`recorded in ${path.relative(process.cwd(), RESULTS_DIR)}/${result.bench}.jsonl`);
}

/**
 * A progress line on stderr every `everyMs` while a long phase runs (always, TTY or not: stdout
 * keeps only the table and the JSON line, so `> result.txt` still shows progress). Returns stop.
 */
export function progress(label: string, line: () => string, everyMs = 5000): () => void {
  const t0 = performance.now();
  const timer = setInterval(() => process.stderr.write(`[${label} ${((performance.now() - t0) / 1000).toFixed(0)}s] ${line()}\n`), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

const cleanups = new Set<() => Promise<unknown>>();
let interrupted = false;

/**
 * Run `cleanup` if the bench is interrupted (Ctrl-C, SIGTERM) while it is registered; returns the
 * unregister function. A benchmark that starts clusters or servers registers their stop, so an
 * interrupted run leaves nothing behind; bench/run.ts installs the handler.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Stop what is registered, then exit 130 on a signal (a second one exits at once), 1 on an error nothing caught. */
export function installInterruptHandler(): void {
  const handle = (sig: string) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbench: ${sig}; stopping what this run started…\n`);
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
  // An error nothing awaited would end the process past every `finally`: stop what is registered first.
  const fatal = (e: unknown) => {
    process.stderr.write(`\nbench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nbench: stopping what this run started…\n`);
    if (interrupted) process.exit(1);
    interrupted = true;
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}
