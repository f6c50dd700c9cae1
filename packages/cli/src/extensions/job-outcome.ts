import type { Job, JobCondition } from '@kjobs/api';

/** How a finished Job ended: its terminal condition, as the job-controller set it. */
export interface JobOutcome {
  state: 'Complete' | 'Failed';
  reason?: string;
  message?: string;
}

/**
 * The Job's terminal outcome, or undefined while it runs: `Complete` or `Failed` with status
 * True. The interim conditions (`SuccessCriteriaMet`, `FailureTarget`) do not count: the Job is
 * finished only once its pods are gone and the controller wrote the terminal one.
 */
export function jobOutcome(job: Job): JobOutcome | undefined {
  const conds: JobCondition[] = job.status?.conditions ?? [];
  const c = conds.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  return { state: c.type as JobOutcome['state'], reason: c.reason, message: c.message };
}

/** One line for `wait --for=finished`: `job.batch/x finished: Failed (BackoffLimitExceeded: …)`. */
export function formatOutcome(name: string, o: JobOutcome): string {
  const why = [o.reason, o.message].filter(Boolean).join(': ');
  return `job.batch/${name} finished: ${o.state}${o.state === 'Failed' && why ? ` (${why})` : ''}`;
}
