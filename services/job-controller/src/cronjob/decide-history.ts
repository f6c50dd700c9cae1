/**
 * CronJob history (Kubernetes cronjob_controllerv2.go `cleanupFinishedJobs`, `byJobStartTime`):
 * which finished Jobs are over `successfulJobsHistoryLimit` / `failedJobsHistoryLimit`. Pure.
 */
import type { CronJob, Job } from '@kjobs/api';

/** Complete or Failed when the Job has that condition True (the first such condition), else null. */
export function finishedType(job: Job): 'Complete' | 'Failed' | null {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return null;
}

/** Milliseconds of an RFC 3339 time; 0 when missing or unparseable. */
export function timeMs(t: string | null | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** `byJobStartTime`: by status.startTime (missing ones last), then by name. */
export function compareByStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa && sb && timeMs(sa) !== timeMs(sb)) return timeMs(sa) - timeMs(sb);
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/**
 * History cleanup: for Complete and Failed children separately, the oldest beyond
 * successfulJobsHistoryLimit (default 3) / failedJobsHistoryLimit (default 1).
 */
export function jobsOverHistoryLimits(cj: CronJob, jobs: readonly Job[]): Job[] {
  const out: Job[] = [];
  const groups: [('Complete' | 'Failed'), number | undefined][] = [
    ['Complete', cj.spec.successfulJobsHistoryLimit ?? 3],
    ['Failed', cj.spec.failedJobsHistoryLimit ?? 1],
  ];
  for (const [type, limit] of groups) {
    if (limit === undefined || limit === null) continue;
    const list = jobs.filter((j) => finishedType(j) === type).sort(compareByStartTime);
    out.push(...list.slice(0, Math.max(0, list.length - limit)));
  }
  return out;
}
