/**
 * `kjobs why job/NAME` reasoning (pure): from the Job, its pods, their events and the previous
 * logs of crash-looping containers, the sentences that say what holds the Job now.
 */
import type { Event, Job, Pod } from '@kjobs/api';
import { parseIndexList } from '../extensions/indexes.js';
import { jobOutcome } from '../extensions/job-outcome.js';
import { explainMemqQueue } from '../extensions/memq-queue.js';

/** What `explainJob` reads; the command gathers it. */
export interface JobFacts {
  job: Job;
  /** The Job's pods (its selector). */
  pods: Pod[];
  /** Events about the Job and its pods. */
  events: Event[];
  /** Last lines of the previous run's log, by `pod/container`, for crash-looping containers. */
  previousLogs: Record<string, string>;
  now: Date;
}

/** The job-controller's pod-recreation backoff (Kubernetes backoff_utils.go): 10 s · 2^(n-1), at most 10 m. */
export const POD_FAILURE_BACKOFF = { baseMs: 10_000, maxMs: 10 * 60_000 };
/** backoffLimit when the Job does not set one. */
const DEFAULT_BACKOFF_LIMIT = 6;
const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** A duration as people say it in `kjobs why`: `45s`, `3m20s`, `1h5m` (tables print kubectl's humanDuration of @kjobs/api). */
export function spokenDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
}

const ms = (t: string | null | undefined) => (t ? Date.parse(t) : NaN);
const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** When a finished pod ended: its containers' latest finishedAt, else its creation. */
function finishedAtMs(p: Pod): number {
  const ends = (p.status?.containerStatuses ?? []).map((c) => ms(c.state?.terminated?.finishedAt)).filter((t) => !Number.isNaN(t));
  return ends.length ? Math.max(...ends) : ms(p.metadata.creationTimestamp) || 0;
}

/** The recreation backoff left: failures after the last success, delay from the last of them. */
function backoffLeftMs(pods: Pod[], now: number): { failures: number; leftMs: number } {
  const lastSuccess = Math.max(-Infinity, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(finishedAtMs));
  const failedTimes = pods.filter((p) => p.status?.phase === 'Failed').map(finishedAtMs).filter((t) => t > lastSuccess);
  if (!failedTimes.length) return { failures: 0, leftMs: 0 };
  const n = failedTimes.length;
  const delay = Math.min(POD_FAILURE_BACKOFF.baseMs * 2 ** Math.min(n - 1, 30), POD_FAILURE_BACKOFF.maxMs);
  return { failures: n, leftMs: Math.max(0, Math.max(...failedTimes) + delay - now) };
}

function podSentences(f: JobFacts): string[] {
  const out: string[] = [];
  const unschedulable = new Map<string, string[]>();
  for (const p of f.pods) {
    const name = p.metadata.name ?? '';
    if (p.metadata.deletionTimestamp || isTerminal(p)) continue;
    const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (p.status?.phase === 'Pending' && !p.spec.nodeName) {
      const ev = f.events.filter((e) => e.involvedObject.name === name && e.reason === 'FailedScheduling').at(-1);
      const why = scheduled?.status === 'False' ? scheduled.message || scheduled.reason : ev?.message;
      const key = why ?? 'waiting for the scheduler to place it';
      unschedulable.set(key, [...(unschedulable.get(key) ?? []), name]);
    }
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const w = c.state?.waiting;
      if (w?.reason && PULL_FAILURES.has(w.reason)) {
        out.push(`Pod ${name} cannot start container ${c.name}: pulling image "${c.image}" fails (${w.reason}${w.message ? `: ${w.message}` : ''}).`);
      } else if (w?.reason === 'CrashLoopBackOff') {
        const last = c.lastState?.terminated;
        const code = last ? `; its last run exited with code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
        let s = `Container ${c.name} of pod ${name} is in CrashLoopBackOff after ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}${code}.`;
        const log = f.previousLogs[`${name}/${c.name}`]?.trimEnd();
        if (log) s += ` The last lines of its log:\n${log.split('\n').map((l) => `    ${l}`).join('\n')}`;
        out.push(s);
      }
    }
  }
  for (const [why, names] of unschedulable) {
    const who = names.length === 1 ? `Pod ${names[0]} is` : `${names.length} pods (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}) are`;
    out.push(`${who} Pending, not scheduled: ${why}.`.replace(/\.\.$/, '.'));
  }
  return out;
}

function budgetSentences(job: Job, pods: Pod[]): string[] {
  const failed = job.status?.failed ?? 0;
  const perIndex = job.spec.backoffLimitPerIndex;
  if (perIndex === undefined) {
    const limit = job.spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
    return failed > 0 || limit === 0 ? [`Backoff budget: ${failed} of backoffLimit ${limit} pod failures used${failed >= limit ? ' (the next failure fails the Job)' : ''}.`] : [];
  }
  const byIndex = new Map<string, number>();
  for (const p of pods) {
    if (p.status?.phase !== 'Failed') continue;
    const ix = p.metadata.labels?.[INDEX_KEY] ?? p.metadata.annotations?.[INDEX_KEY];
    if (ix !== undefined) byIndex.set(ix, (byIndex.get(ix) ?? 0) + 1);
  }
  const failedIndexes = job.status?.failedIndexes ? parseIndexList(job.status.failedIndexes) : [];
  const parts = [...byIndex].sort((a, b) => Number(a[0]) - Number(b[0])).map(([ix, n]) => `index ${ix} ${n} of ${perIndex + 1} runs failed${failedIndexes.includes(Number(ix)) ? ' (index failed)' : ''}`);
  if (!parts.length) return [];
  const max = job.spec.maxFailedIndexes;
  return [`Backoff budget per index (backoffLimitPerIndex ${perIndex}): ${parts.join('; ')}${max !== undefined ? `; ${failedIndexes.length} of maxFailedIndexes ${max} indexes failed` : ''}.`];
}

/**
 * What holds the Job, one sentence each, most decisive first: finished (and how); suspended;
 * pods Pending with the scheduler's reasons; image pull failures; CrashLoopBackOff with the last
 * exit code and log lines; pod-recreation backoff with the time left; the active deadline left;
 * the backoff budget used. A Job that nothing holds gets a sentence saying so, with its progress.
 */
export function explainJob(f: JobFacts): string[] {
  const { job } = f;
  const now = f.now.getTime();
  const name = job.metadata.name ?? '';
  const outcome = jobOutcome(job);
  if (outcome) {
    const why = [outcome.reason, outcome.message].filter(Boolean).join(': ');
    return [`job.batch/${name} has finished: ${outcome.state}${why ? ` (${why})` : ''}. Nothing holds it.`];
  }
  const out: string[] = [];
  if (job.spec.suspend) out.push('The Job is suspended (spec.suspend: true): no pods run until it is resumed (set spec.suspend to false).');
  const live = f.pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
  out.push(...podSentences(f));
  const queue = explainMemqQueue(job);
  if (queue) out.push(queue);
  if (!job.spec.suspend && live.length === 0) {
    const { failures, leftMs } = backoffLeftMs(f.pods, now);
    if (leftMs > 0) {
      out.push(`Pod recreation is backing off after ${failures} consecutive failure${failures === 1 ? '' : 's'}: the next pod is created in about ${spokenDuration(leftMs)}.`);
    }
  }
  const deadline = job.spec.activeDeadlineSeconds;
  const start = ms(job.status?.startTime);
  if (deadline !== undefined && !Number.isNaN(start)) {
    const left = start + deadline * 1000 - now;
    out.push(left > 0
      ? `The active deadline (activeDeadlineSeconds ${deadline}) ends in ${spokenDuration(left)}: the Job fails then if it has not completed.`
      : `The active deadline (activeDeadlineSeconds ${deadline}) has passed: the Job is being failed (DeadlineExceeded).`);
  }
  out.push(...budgetSentences(job, f.pods));
  if (out.length === 0) {
    const done = job.status?.succeeded ?? 0;
    const want = job.spec.completions;
    out.push(`Nothing holds it: ${live.length} pod${live.length === 1 ? '' : 's'} active, ${done}${want !== undefined && want !== null ? ` of ${want}` : ''} completed.`);
  }
  return out;
}
