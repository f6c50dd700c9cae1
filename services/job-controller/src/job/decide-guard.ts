/** The guard clauses of a Job sync (Kubernetes syncJob's first checks). */
import type { Job } from '@kjobs/api';
import { isJobFinished } from './conditions.js';
import { JOB_CONTROLLER_NAME } from './constants.js';
import type { PlannedEvent } from './decide-status.js';

/** Why a sync leaves a Job alone this time. */
export type JobSyncSkip = 'managedByOther' | 'finished' | 'unknownCompletionMode';

/**
 * A Job this controller must not touch, why, and the event to record for it: managed by another
 * controller (spec.managedBy), already finished, or with a completion mode it does not know (the
 * API rejects those today; the check stays for a mode a newer API might add). Undefined: sync it.
 */
export function jobSyncGuard(job: Job): { skipped: JobSyncSkip; event?: PlannedEvent } | undefined {
  if (job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) return { skipped: 'managedByOther' };
  if (isJobFinished(job)) return { skipped: 'finished' };
  const mode = job.spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    return { skipped: 'unknownCompletionMode', event: { type: 'Warning', reason: 'UnknownCompletionMode', message: 'Skipped Job sync because completion mode is unknown' } };
  }
  return undefined;
}
