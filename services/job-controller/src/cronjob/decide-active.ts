/**
 * The CronJob's active list against the Jobs that exist (Kubernetes cronjob_controllerv2.go
 * `syncCronJob`, its first loop): finished Jobs leave it, missing ones leave it, running Jobs the
 * list lacks are reported, and lastSuccessfulTime follows the latest completed Job. Pure.
 */
import type { CronJob, Job, ObjectReference } from '@kjobs/api';
import { finishedType, timeMs } from './decide-history.js';

/** An event the controller records on the CronJob. */
export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The active list after reconciliation. */
export interface ActiveList {
  active: ObjectReference[];
  lastSuccessfulTime?: string;
  /** SawCompletedJob and MissingJob, in order. */
  events: CronJobEvent[];
  /** Running Jobs of ours that the list lacks (UnexpectedJob, unless the sync adopts one). */
  unexpected: Job[];
}

/**
 * Reconcile `status.active` with `jobs` (those being deleted as history, `deleted`, left out):
 * 1. a running Job not in the list → unexpected;
 * 2. a finished Job in the list → leaves it (SawCompletedJob);
 * 3. a Complete Job not in the list → lastSuccessfulTime = the latest completionTime;
 * 4. a listed Job that does not exist → leaves it (MissingJob).
 */
export function reconcileActive(cj: CronJob, jobs: readonly Job[], deleted: ReadonlySet<string | undefined>): ActiveList {
  let active = (cj.status?.active ?? []).filter((r) => !deleted.has(r.uid));
  let lastSuccessfulTime = cj.status?.lastSuccessfulTime;
  const events: CronJobEvent[] = [];
  const unexpected: Job[] = [];
  for (const j of jobs) {
    if (deleted.has(j.metadata.uid)) continue;
    const found = active.some((r) => r.uid === j.metadata.uid);
    const fin = finishedType(j);
    if (!found && !fin) {
      unexpected.push(j);
    } else if (found && fin) {
      active = active.filter((r) => r.uid !== j.metadata.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata.name}, status: ${fin}` });
    } else if (fin === 'Complete') {
      const ct = j.status?.completionTime;
      if (ct && (!lastSuccessfulTime || timeMs(ct) > timeMs(lastSuccessfulTime))) lastSuccessfulTime = ct;
    }
  }
  const existing = new Set(jobs.map((j) => j.metadata.uid));
  for (const ref of [...active]) {
    if (existing.has(ref.uid)) continue;
    active = active.filter((r) => r.uid !== ref.uid);
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
  }
  return { active, lastSuccessfulTime, events, unexpected };
}
