/**
 * `syncCronJob` (Kubernetes cronjob_controllerv2.go `sync`): guard, read, decide
 * (decide-cronjob.ts), act through {@link CronJobControl}, record status; the result tells the
 * queue when to come back — there is no polling loop.
 */
import { type CronJob, type CronJobStatus, type Job, isApiError } from '@kjobs/api';
import { type CronJobDecision, decideCronJobSync, recordStartedJob } from './decide-cronjob.js';
import type { CronJobControl } from './control.js';
import { isControlledBy, jobReference } from './scheduled-job.js';

/** What a CronJob sync reads and writes through. */
export interface CronJobSyncContext {
  /** The CronJob by `namespace/name`, from the cache. */
  cronJob(key: string): CronJob | undefined;
  /** The Jobs whose controller is the CronJob, from the cache. */
  jobsOf(cj: CronJob): Job[];
  control: CronJobControl;
  now(): Date;
  /** Zone for CronJobs without spec.timeZone (the controller's local zone). */
  defaultTimeZone: string;
}

type Emit = (type: 'Normal' | 'Warning', reason: string, msg: string) => void;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Sync one CronJob. Does:
 * 1. guard: gone from the cache → nothing;
 * 2. read: its Jobs from the cache, plus active Jobs the cache lacks (a fresh create may not be
 *    cached yet) by an uncached GET;
 * 3. decide;
 * 4. act: delete history Jobs (SuccessfulDelete / FailedDelete), record the decision's events;
 *    Replace: delete the active Jobs (a failure writes status and throws); create the Job —
 *    AlreadyExists means a crashed sync created it: adopt it if it is ours;
 * 5. record: write status if it changed; return the requeue delay.
 */
export async function syncCronJob(key: string, c: CronJobSyncContext): Promise<{ requeueAfterMs?: number }> {
  const cj = c.cronJob(key);
  if (!cj) return {};
  const ns = cj.metadata.namespace ?? '';
  const jobs = [...c.jobsOf(cj)];
  for (const ref of cj.status?.active ?? []) {
    if (jobs.some((j) => j.metadata.uid === ref.uid) || !ref.name) continue;
    const fresh = await c.control.getJob(ref.namespace ?? ns, ref.name);
    if (fresh && fresh.metadata.uid === ref.uid) jobs.push(fresh);
  }

  const d = decideCronJobSync({ cronJob: cj, jobs, now: c.now(), defaultTimeZone: c.defaultTimeZone });

  const emit: Emit = (type, reason, msg) => c.control.recordEvent(cj, type, reason, msg);
  for (const job of d.historyDeletes) {
    try {
      await c.control.deleteJob(ns, job.metadata.name ?? '', { propagationPolicy: 'Background', uid: job.metadata.uid });
      emit('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (e) {
      if (!isApiError(e, 404)) emit('Warning', 'FailedDelete', `Deleted job: ${message(e)}`);
    }
  }
  for (const e of d.events) emit(e.type, e.reason, e.message);
  for (const job of d.replaceDeletes) {
    try {
      await c.control.deleteJob(ns, job.metadata.name ?? '', { propagationPolicy: 'Background', uid: job.metadata.uid });
      emit('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (e) {
      if (isApiError(e, 404)) continue;
      emit('Warning', 'FailedDelete', `Deleted job: ${message(e)}`);
      await writeStatus(cj, { ...d.statusBeforeCreate, active: [...(d.statusBeforeCreate.active ?? []), jobReference(job)] }, c.control);
      throw e;
    }
  }
  const status = await startJob(cj, d, c.control, emit);

  await writeStatus(cj, status, c.control);
  return d.requeueAfterMs !== undefined ? { requeueAfterMs: d.requeueAfterMs } : {};
}

/** Create the decided Job (or adopt the one a crashed sync created); the status to write. */
async function startJob(cj: CronJob, d: CronJobDecision, control: CronJobControl, emit: Emit): Promise<CronJobStatus> {
  const before = d.statusBeforeCreate;
  if (!d.jobToCreate || !d.scheduledTime) return d.status; // nothing to create, or adopted
  const ns = cj.metadata.namespace ?? '';
  try {
    const created = await control.createJob(ns, d.jobToCreate);
    emit('Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    return recordStartedJob(before, created, d.scheduledTime);
  } catch (e) {
    if (!isApiError(e, 409)) {
      emit('Warning', 'FailedCreate', `Error creating job: ${message(e)}`);
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

/** PUT status when it differs from the cached one (an empty active list is left out). */
async function writeStatus(cj: CronJob, status: CronJobStatus, control: CronJobControl): Promise<void> {
  const clean = { ...status };
  if (clean.active && clean.active.length === 0) delete clean.active;
  if (JSON.stringify(clean) === JSON.stringify(cj.status ?? {})) return;
  await control.updateCronJobStatus({ ...cj, status: clean });
}
