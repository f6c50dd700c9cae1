/**
 * `kjobs why cronjob/NAME` reasoning (pure): the CronJob, its events and Jobs in; sentences out.
 */
import { nextFireTimes, type CronJob, type Event } from '@kjobs/api';
import { spokenDuration } from './explain-job.js';

/** What `explainCronJob` reads. */
export interface CronJobFacts {
  cronJob: CronJob;
  /** Events about the CronJob (the cronjob-controller records why a run was skipped). */
  events: Event[];
  now: Date;
}

/** Event reasons that mean a due run did not start, and how to say it. */
const SKIPS: Record<string, (e: Event, cj: CronJob) => string> = {
  JobAlreadyActive: (_e, cj) => `concurrencyPolicy is Forbid and the previous Job (${(cj.status?.active ?? []).map((a) => a.name).join(', ') || 'still running then'}) had not finished`,
  MissSchedule: (e, cj) => `it could not start within startingDeadlineSeconds (${cj.spec.startingDeadlineSeconds ?? '?'}s) of its scheduled time (${e.message ?? ''})`,
  TooManyMissedTimes: () => 'more than 100 start times were missed (set or lower startingDeadlineSeconds, or check the clock)',
  UnknownTimeZone: (e) => e.message ?? 'its timeZone is unknown',
  UnparseableSchedule: (e) => e.message ?? 'its schedule does not parse',
  InvalidSchedule: (e) => e.message ?? 'its schedule is invalid',
};

/**
 * The latest run due since the last scheduled one (or creation) that is older than
 * startingDeadlineSeconds: the controller skips it without an event (it never looks further
 * back than the deadline), so it is inferred here.
 */
function missedByDeadline(cj: CronJob, now: number): Date | undefined {
  const sds = cj.spec.startingDeadlineSeconds;
  const since = cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp;
  if (sds === undefined || !since) return undefined;
  try {
    const due = nextFireTimes(cj.spec.schedule, cj.spec.timeZone, new Date(since), 100).filter((t) => t.getTime() + sds * 1000 < now);
    return due.at(-1);
  } catch {
    return undefined;
  }
}

const eventTime = (e: Event) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '') || 0;

/**
 * What holds the CronJob, one sentence each: suspended (and due runs skipped while it was); the
 * Jobs running now; the last skipped run and why (Forbid, startingDeadlineSeconds, schedule or
 * zone errors, from the controller's events); the next run and how far away.
 */
export function explainCronJob(f: CronJobFacts): string[] {
  const cj = f.cronJob;
  const now = f.now.getTime();
  const out: string[] = [];
  const last = cj.status?.lastScheduleTime;
  if (cj.spec.suspend) {
    let s = 'The CronJob is suspended (spec.suspend: true): no Job is created until it is resumed';
    try {
      const since = last ? new Date(last) : cj.metadata.creationTimestamp ? new Date(cj.metadata.creationTimestamp) : undefined;
      const due = since ? nextFireTimes(cj.spec.schedule, cj.spec.timeZone, since, 1)[0] : undefined;
      if (due && due.getTime() <= now) s += `; runs due since ${due.toISOString()} were skipped`;
    } catch {
      // a schedule error is reported below through its event
    }
    out.push(`${s}.`);
  }
  const active = cj.status?.active ?? [];
  if (active.length) out.push(`${active.length === 1 ? 'Job' : 'Jobs'} ${active.map((a) => a.name).join(', ')} ${active.length === 1 ? 'is' : 'are'} running now (concurrencyPolicy ${cj.spec.concurrencyPolicy ?? 'Allow'}).`);
  const skip = f.events.filter((e) => SKIPS[e.reason ?? '']).sort((a, b) => eventTime(a) - eventTime(b)).at(-1);
  if (skip) {
    const at = eventTime(skip);
    const recent = !last || at >= Date.parse(last);
    if (recent) out.push(`The last run was skipped${at ? ` (${spokenDuration(now - at)} ago)` : ''} because ${SKIPS[skip.reason!]!(skip, cj)}.`);
  }
  const missed = cj.spec.suspend || skip?.reason === 'MissSchedule' ? undefined : missedByDeadline(cj, now);
  if (missed) out.push(`The run due at ${missed.toISOString()} was skipped: it could not start within startingDeadlineSeconds (${cj.spec.startingDeadlineSeconds}s) of its time.`);
  if (last) out.push(`The last Job was scheduled at ${last}${cj.status?.lastSuccessfulTime ? `; the last successful one finished at ${cj.status.lastSuccessfulTime}` : ''}.`);
  if (!cj.spec.suspend) {
    try {
      const next = nextFireTimes(cj.spec.schedule, cj.spec.timeZone, f.now, 1)[0];
      out.push(next ? `The next run is at ${next.toISOString()}, in ${spokenDuration(next.getTime() - now)}.` : 'The schedule has no run in the next five years.');
    } catch (e) {
      out.push(`The schedule "${cj.spec.schedule}" is invalid: ${(e as Error).message}.`);
    }
  }
  return out;
}
