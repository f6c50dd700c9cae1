/**
 * `syncCronJob`: carry out the CronJob decision (decide.ts) through {@link CronJobControl}:
 * re-read active Jobs the cache lacks, delete history, replace, create (adopting on AlreadyExists),
 * write status once, and tell the queue when to come back.
 */
import { type CronJob, type CronJobStatus, type Job, isApiError } from '@kjobs/api';
import { type CronJobDecision, decideCronJobSync, recordStartedJob } from './decide.js';
import type { CronJobControl } from './ports.js';
import { isControlledBy, jobReference } from './scheduled-job.js';

/** Options of {@link syncCronJob}. */
export interface SyncCronJobOptions {
  /** Zone for CronJobs without spec.timeZone (the controller's local zone). Default UTC. */
  defaultTimeZone?: string;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Sync one CronJob. `jobs` are the Jobs its controller ref names, from the cache. Does:
 * 1. GET active Jobs missing from the cache (a fresh create may not be cached yet);
 * 2. decide; delete history Jobs (SuccessfulDelete / FailedDelete), record the decision's events;
 * 3. Replace: delete the active Jobs (a failure writes status and throws);
 * 4. create the Job — AlreadyExists means a crashed sync created it: adopt it if it is ours;
 * 5. write status if it changed; return the requeue delay.
 */
export async function syncCronJob(cj: CronJob, jobs: readonly Job[], now: Date, control: CronJobControl, opts: SyncCronJobOptions = {}): Promise<{ requeueAfterMs?: number }> {
  const ns = cj.metadata.namespace ?? '';
  const known = [...jobs];
  for (const ref of cj.status?.active ?? []) {
    if (known.some((j) => j.metadata.uid === ref.uid) || !ref.name) continue;
    const fresh = await control.getJob(ref.namespace ?? ns, ref.name);
    if (fresh && fresh.metadata.uid === ref.uid) known.push(fresh);
  }
  const d = decideCronJobSync({ cronJob: cj, jobs: known, now, defaultTimeZone: opts.defaultTimeZone });
  const event = (type: 'Normal' | 'Warning', reason: string, msg: string) => control.recordEvent(cj, type, reason, msg);

  for (const job of d.historyDeletes) {
    try {
      await control.deleteJob(ns, job.metadata.name ?? '', { propagationPolicy: 'Background', uid: job.metadata.uid });
      event('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (e) {
      if (!isApiError(e, 404)) event('Warning', 'FailedDelete', `Deleted job: ${message(e)}`);
    }
  }
  for (const e of d.events) event(e.type, e.reason, e.message);

  let status = d.statusBeforeCreate;
  for (const job of d.replaceDeletes) {
    try {
      await control.deleteJob(ns, job.metadata.name ?? '', { propagationPolicy: 'Background', uid: job.metadata.uid });
      event('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (e) {
      if (isApiError(e, 404)) continue;
      event('Warning', 'FailedDelete', `Deleted job: ${message(e)}`);
      const stillActive = [...(status.active ?? []), jobReference(job)];
      await writeStatus(cj, { ...status, active: stillActive }, control);
      throw e;
    }
  }

  status = await startJob(cj, d, status, control, event);
  await writeStatus(cj, status, control);
  return d.requeueAfterMs !== undefined ? { requeueAfterMs: d.requeueAfterMs } : {};
}

async function startJob(
  cj: CronJob,
  d: CronJobDecision,
  before: CronJobStatus,
  control: CronJobControl,
  event: (type: 'Normal' | 'Warning', reason: string, msg: string) => void,
): Promise<CronJobStatus> {
  if (!d.jobToCreate || !d.scheduledTime) return d.status; // nothing to create, or adopted
  const ns = cj.metadata.namespace ?? '';
  try {
    const created = await control.createJob(ns, d.jobToCreate);
    event('Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    return recordStartedJob(before, created, d.scheduledTime);
  } catch (e) {
    if (!isApiError(e, 409)) {
      event('Warning', 'FailedCreate', `Error creating job: ${message(e)}`);
      await writeStatus(cj, before, control);
      throw e;
    }
    // Created by an earlier sync that died before writing status (or by someone else).
    const existing = await control.getJob(ns, d.jobToCreate.metadata.name ?? '');
    if (!existing || !isControlledBy(existing, cj)) return before;
    if ((before.active ?? []).some((r) => r.uid === existing.metadata.uid)) return before;
    return recordStartedJob(before, existing, d.scheduledTime);
  }
}

async function writeStatus(cj: CronJob, status: CronJobStatus, control: CronJobControl): Promise<void> {
  const clean = { ...status };
  if (clean.active && clean.active.length === 0) delete clean.active;
  if (JSON.stringify(clean) === JSON.stringify(cj.status ?? {})) return;
  await control.updateCronJobStatus({ ...cj, status: clean });
}
