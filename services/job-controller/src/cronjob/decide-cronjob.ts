/**
 * The CronJob sync decision (Kubernetes cronjob_controllerv2.go `syncCronJob` + cleanup), as a pure
 * function of (CronJob, its Jobs, now), built from the history (decide-history.ts) and active-list
 * (decide-active.ts) planners. sync.ts acts on it in order: history deletions, replace deletions,
 * then the create, then one status write.
 */
import type { CronJob, CronJobStatus, Job, ObjectReference } from '@kjobs/api';
import { formatRfc1123Z, rfc3339 } from '@kjobs/api';
import { type CronJobEvent, reconcileActive } from './decide-active.js';
import { finishedType, jobsOverHistoryLimits, timeMs } from './decide-history.js';
import { buildScheduledJob, isControlledBy, jobReference, scheduledJobName } from './scheduled-job.js';
import { decideSchedule } from './decide-schedule.js';
import { nextScheduleDelayMs } from './schedule.js';

/** Everything a CronJob sync reads. */
export interface CronJobSyncInput {
  cronJob: CronJob;
  /**
   * Jobs whose controller is this CronJob, from the cache — plus any `status.active` Job the sync
   * re-read from the API because the cache lacked it. An active ref absent here counts as deleted.
   */
  jobs: readonly Job[];
  now: Date;
  /** Zone used when spec.timeZone is unset (the controller's local zone). Default UTC. */
  defaultTimeZone?: string;
}

/** What one CronJob sync does. */
export interface CronJobDecision {
  /** Finished Jobs over the history limits, oldest first (DELETE, propagation Background). */
  historyDeletes: Job[];
  /** Running Jobs to delete first under concurrencyPolicy Replace (Background). */
  replaceDeletes: Job[];
  /** The Job to create now, if any. */
  jobToCreate: Job | null;
  /** A Job of ours for the due time that exists but is not in `status.active` (restart case): adopt it. */
  adopted: Job | null;
  /** Status after reconciliation and Replace deletions — what to write if the create fails. */
  statusBeforeCreate: CronJobStatus;
  /** The start time handled this sync (created or adopted), if any. */
  scheduledTime?: Date;
  /** Status after the create (see recordStartedJob), assuming it succeeds (the new ref has no uid yet). */
  status: CronJobStatus;
  /** True when `status` differs from the stored status. */
  statusChanged: boolean;
  /** Events in order, except SuccessfulCreate / SuccessfulDelete / FailedDelete, which follow the writes. */
  events: CronJobEvent[];
  /** When to sync again; undefined = only on the next change (suspend, bad zone or schedule). */
  requeueAfterMs?: number;
}

/**
 * Decide one CronJob sync. Does:
 * 1. history: finished Jobs over the limits are deleted (and leave the active list);
 * 2. active list: finished active Jobs leave it (SawCompletedJob), active refs with no Job leave
 *    it (MissingJob), running Jobs not in it are reported (UnexpectedJob), lastSuccessfulTime =
 *    latest completionTime of a succeeded Job not in the list;
 * 3. stop here when being deleted, the zone is unknown, suspended, or the schedule does not parse;
 * 4. find the most recent due start time (TooManyMissedTimes when > 100 missed); none → requeue at
 *    the next one; past startingDeadlineSeconds → MissSchedule;
 * 5. already handled (in active by name, or lastScheduleTime) → requeue;
 * 6. Forbid with active Jobs → JobAlreadyActive; Replace → delete the active Jobs;
 * 7. our Job for that time already exists (a restart between create and status write) → adopt it;
 *    otherwise create it; append it to active, set lastScheduleTime; requeue at the next time.
 */
export function decideCronJobSync(input: CronJobSyncInput): CronJobDecision {
  const { cronJob: cj, jobs, now } = input;
  const tzDefault = input.defaultTimeZone ?? 'UTC';
  const old = cj.status ?? {};
  const events: CronJobEvent[] = [];
  const warn = (reason: string, message: string) => events.push({ type: 'Warning', reason, message });
  const normal = (reason: string, message: string) => events.push({ type: 'Normal', reason, message });
  const historyDeletes = jobsOverHistoryLimits(cj, jobs);
  const deletedUids = new Set(historyDeletes.map((j) => j.metadata.uid));
  const reconciled = reconcileActive(cj, jobs, deletedUids);
  let active: ObjectReference[] = reconciled.active;
  const lastSuccessfulTime = reconciled.lastSuccessfulTime;
  const unexpected = reconciled.unexpected;
  events.push(...reconciled.events);
  const inActive = (uid: string | undefined) => active.some((r) => r.uid === uid);

  const d: CronJobDecision = { historyDeletes, replaceDeletes: [], jobToCreate: null, adopted: null, statusBeforeCreate: old, status: old, statusChanged: false, events };
  const status = (): CronJobStatus => {
    const s: CronJobStatus = { ...old, active };
    if (active.length === 0) delete s.active;
    if (lastSuccessfulTime !== undefined) s.lastSuccessfulTime = lastSuccessfulTime;
    return s;
  };
  const finish = (requeueAfterMs?: number | null): CronJobDecision => {
    d.status = status();
    d.statusBeforeCreate = d.status;
    d.statusChanged = JSON.stringify(d.status) !== JSON.stringify(old);
    if (requeueAfterMs !== undefined && requeueAfterMs !== null) d.requeueAfterMs = Math.max(0, requeueAfterMs);
    return d;
  };

  const reportUnexpected = (except?: Job) => {
    for (const j of unexpected) if (j !== except) warn('UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
  };

  // 3. stop conditions, 4. the due start time
  const step = decideSchedule({ ...cj, status: status() }, now, tzDefault);
  events.push(...step.warnings);
  if (step.kind === 'stop') {
    reportUnexpected();
    if (step.event) events.push(step.event);
    return finish();
  }
  const { schedule: sched, scheduled } = step;
  const requeue = () => nextScheduleDelayMs({ ...cj, status: status() }, now, sched);
  const ours = scheduled ? jobs.find((j) => j.metadata.name === scheduledJobName(cj, scheduled) && isControlledBy(j, cj) && !deletedUids.has(j.metadata.uid)) : undefined;
  reportUnexpected(ours && !inActive(ours.metadata.uid) && !finishedType(ours) ? ours : undefined);
  if (!scheduled) return finish(requeue());
  const sds = cj.spec.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && scheduled.getTime() + sds * 1000 < now.getTime()) {
    warn('MissSchedule', `Missed scheduled time to start a job: ${formatRfc1123Z(scheduled.getTime())}`);
    return finish(requeue());
  }

  // 5. already handled
  const name = scheduledJobName(cj, scheduled);
  if (active.some((r) => r.name === name) || (old.lastScheduleTime !== undefined && timeMs(old.lastScheduleTime) === scheduled.getTime())) {
    return finish(requeue());
  }

  // 6. concurrency policy
  const policy = cj.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    normal('JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return finish(requeue());
  }
  if (policy === 'Replace' && active.length > 0) {
    const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
    d.replaceDeletes = active.map((r) => byUid.get(r.uid)).filter((j): j is Job => j !== undefined && j !== ours);
    const replaced = new Set(d.replaceDeletes.map((j) => j.metadata.uid));
    active = active.filter((r) => !replaced.has(r.uid));
  }

  // 7. create (or adopt the Job a crashed sync already created)
  if (ours) {
    d.adopted = ours;
  } else {
    d.jobToCreate = buildScheduledJob(cj, scheduled, tzDefault);
  }
  d.scheduledTime = scheduled;
  d.statusBeforeCreate = status();
  const started = recordStartedJob(d.statusBeforeCreate, ours ?? d.jobToCreate!, scheduled);
  d.status = started;
  d.statusChanged = true;
  const after = nextScheduleDelayMs({ ...cj, status: started }, now, sched);
  if (after !== null) d.requeueAfterMs = Math.max(0, after);
  return d;
}

/**
 * The status after starting (or adopting) `job` for `scheduledTime`: its reference appended to
 * `active` (once) and lastScheduleTime set. Written only after the create succeeded — a crash in
 * between leaves a Job with the deterministic name, which the next sync adopts instead of creating
 * another.
 */
export function recordStartedJob(status: CronJobStatus, job: Job, scheduledTime: Date): CronJobStatus {
  const active = [...(status.active ?? [])];
  if (!active.some((r) => r.uid !== undefined && r.uid === job.metadata.uid)) active.push(jobReference(job));
  return { ...status, active, lastScheduleTime: rfc3339(scheduledTime) };
}
