import type { Job } from '@kjobs/api';
import { paint, statusColor } from './color.js';
import { humanDuration } from './time.js';

/** What the progress bar shows about a Job, read from its spec and status. */
export interface JobProgress {
  name: string;
  succeeded: number;
  failed: number;
  active: number;
  /** spec.completions; null in work-queue mode (the total is unknown). */
  completions: number | null;
  /** Complete | Failed | Suspended | FailureTarget | Running | Pending */
  state: string;
  startTime?: string;
  completionTime?: string;
}

/** Read a Job's progress; the state comes from its conditions. */
export function jobProgress(job: Job): JobProgress {
  const st = job.status ?? {};
  const isTrue = (t: string) => (st.conditions ?? []).some((c) => c.type === t && c.status === 'True');
  const state = isTrue('Complete') ? 'Complete'
    : isTrue('Failed') ? 'Failed'
    : isTrue('FailureTarget') ? 'FailureTarget'
    : isTrue('Suspended') ? 'Suspended'
    : st.startTime ? 'Running' : 'Pending';
  const completions = job.spec?.completions;
  return {
    name: job.metadata.name ?? '',
    succeeded: st.succeeded ?? 0,
    failed: st.failed ?? 0,
    active: st.active ?? 0,
    completions: completions === undefined ? null : completions,
    state,
    startTime: st.startTime,
    completionTime: st.completionTime,
  };
}

/** True when the Job reached a final state (Complete or Failed). */
export function isFinished(p: JobProgress): boolean {
  return p.state === 'Complete' || p.state === 'Failed';
}

/** Elapsed milliseconds from start to completion (or now). */
export function elapsedMs(p: JobProgress, now: number): number {
  if (!p.startTime) return 0;
  const end = p.completionTime ? Date.parse(p.completionTime) : now;
  return Math.max(0, end - Date.parse(p.startTime));
}

/**
 * Estimated milliseconds until every completion succeeded, from the rate so far; undefined
 * when it cannot be told (nothing succeeded yet, work-queue mode, finished).
 */
export function etaMs(p: JobProgress, now: number): number | undefined {
  if (p.completions === null || isFinished(p) || p.succeeded === 0) return undefined;
  const remaining = Math.max(0, p.completions - p.succeeded);
  return (elapsedMs(p, now) / p.succeeded) * remaining;
}

function counts(p: JobProgress): string {
  return p.completions === null ? `${p.succeeded} succeeded (work queue)` : `${p.succeeded}/${p.completions}`;
}

/** Options of the TTY bar. */
export interface BarOptions {
  /** Terminal columns (the bar shrinks to fit; default 80). */
  columns?: number;
  color?: boolean;
}

/**
 * One TTY line: `parallel [██████░░░░░░]  6/10  active 4  failed 0  elapsed 30s  eta 20s  Running`.
 * In work-queue mode there is no total, so no bar is drawn.
 */
export function renderProgressBar(p: JobProgress, now: number, opts: BarOptions = {}): string {
  const eta = etaMs(p, now);
  const columns = opts.columns || 80;
  const tail = `  ${counts(p)}  active ${p.active}  failed ${p.failed}  elapsed ${humanDuration(elapsedMs(p, now))}`
    + `${eta !== undefined ? `  eta ${humanDuration(eta)}` : ''}  `;
  let bar = '';
  if (p.completions !== null) {
    // The bar's width depends only on the terminal and the name, so it does not wobble as the
    // counters and times grow.
    const width = Math.max(10, Math.min(40, columns - p.name.length - 64));
    const ratio = p.completions > 0 ? Math.min(1, p.succeeded / p.completions) : 1;
    const filled = Math.round(ratio * width);
    bar = ` [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  }
  const line = `${p.name}${bar}${tail}${p.state}`;
  // A line wider than the terminal would wrap, and redrawing it in place would leave debris.
  if (line.length > columns - 1) return line.slice(0, Math.max(0, columns - 1));
  const color = opts.color ? statusColor(p.state) : undefined;
  return color ? `${p.name}${bar}${tail}${paint(p.state, color)}` : line;
}

/** One plain line for a non-TTY (printed when something changed). */
export function renderProgressLine(p: JobProgress, now: number): string {
  const eta = etaMs(p, now);
  const total = p.completions === null ? `${p.succeeded} succeeded (work queue)` : `${p.succeeded}/${p.completions} succeeded`;
  if (isFinished(p)) return `${p.name}: ${p.state}, ${total}, ${p.failed} failed, took ${humanDuration(elapsedMs(p, now))}`;
  return `${p.name}: ${p.state}, ${total}, ${p.active} active, ${p.failed} failed, elapsed ${humanDuration(elapsedMs(p, now))}`
    + `${eta !== undefined ? `, eta ${humanDuration(eta)}` : ''}`;
}

/** A key that changes whenever a plain progress line would say something new. */
export function progressKey(p: JobProgress): string {
  return `${p.state}/${p.succeeded}/${p.failed}/${p.active}`;
}
