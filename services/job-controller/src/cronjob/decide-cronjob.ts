/**
 * The CronJob sync decision (Kubernetes cronjob_controllerv2.go `syncCronJob` + cleanup), as a pure
 * function of (CronJob, its Jobs, now), built from the history (decide-history.ts) and active-list
 * (decide-active.ts) planners. sync.ts acts on it in order: history deletions, replace deletions,
 * then the create, then one status write.
 */
import type { CronJob, CronJobStatus, Job, ObjectReference } from '@kjobs/api';
import { type CronSchedule, formatRfc1123Z, rfc3339 } from '@kjobs/api';
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
  const s = reconcileJobs(input);
  const due = findDueStart(s);
  if (due.kind === 'done') return due.decision;
  return alreadyHandled(s, due) ?? applyConcurrencyPolicy(s, due) ?? startDueJob(s, due);
}

/** A sync in progress: what it read, and what steps 1-2 and 6 decided so far. */
interface SyncState {
  cj: CronJob;
  jobs: readonly Job[];
  now: Date;
  tzDefault: string;
  /** The stored status. */
  old: CronJobStatus;
  events: CronJobEvent[];
  historyDeletes: Job[];
  deletedUids: Set<string | undefined>;
  replaceDeletes: Job[];
  /** The active list as reconciled (then less the Jobs Replace deletes). */
  active: ObjectReference[];
  lastSuccessfulTime?: string;
  /** Running Jobs of ours missing from the active list (reported as UnexpectedJob). */
  unexpected: Job[];
}

/** The due start time found by step 4, with our Job for it if one exists. */
interface DueStart {
  kind: 'due';
  sched: CronSchedule;
  scheduled: Date;
  ours: Job | undefined;
  /** When to sync again if nothing starts now. */
  requeue: () => number | null;
}

/** Steps 1-2: the history deletions and the reconciled active list. */
function reconcileJobs(input: CronJobSyncInput): SyncState {
  const { cronJob: cj, jobs, now } = input;
  const historyDeletes = jobsOverHistoryLimits(cj, jobs);
  const deletedUids = new Set(historyDeletes.map((j) => j.metadata.uid));
  const reconciled = reconcileActive(cj, jobs, deletedUids);
  return {
    cj, jobs, now, tzDefault: input.defaultTimeZone ?? 'UTC', old: cj.status ?? {},
    events: [...reconciled.events], historyDeletes, deletedUids, replaceDeletes: [],
    active: reconciled.active, unexpected: reconciled.unexpected,
    ...(reconciled.lastSuccessfulTime !== undefined ? { lastSuccessfulTime: reconciled.lastSuccessfulTime } : {}),
  };
}

/** The status with the reconciled active list and lastSuccessfulTime. */
function statusOf(s: SyncState): CronJobStatus {
  const st: CronJobStatus = { ...s.old, active: s.active };
  if (s.active.length === 0) delete st.active;
  if (s.lastSuccessfulTime !== undefined) st.lastSuccessfulTime = s.lastSuccessfulTime;
  return st;
}

/** The decision when nothing starts this sync: write the reconciled status, sync again after `requeueAfterMs`. */
function finish(s: SyncState, requeueAfterMs?: number | null): CronJobDecision {
  const status = statusOf(s);
  const d: CronJobDecision = {
    historyDeletes: s.historyDeletes, replaceDeletes: s.replaceDeletes, jobToCreate: null, adopted: null,
    statusBeforeCreate: status, status, statusChanged: JSON.stringify(status) !== JSON.stringify(s.old), events: s.events,
  };
  if (requeueAfterMs !== undefined && requeueAfterMs !== null) d.requeueAfterMs = Math.max(0, requeueAfterMs);
  return d;
}

function reportUnexpected(s: SyncState, except?: Job): void {
  for (const j of s.unexpected) {
    if (j !== except) s.events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${j.metadata.name}` });
  }
}

/** Steps 3-4: stop conditions, the most recent due start time and its deadline. */
function findDueStart(s: SyncState): DueStart | { kind: 'done'; decision: CronJobDecision } {
  const { cj, now } = s;
  const step = decideSchedule({ ...cj, status: statusOf(s) }, now, s.tzDefault);
  s.events.push(...step.warnings);
  if (step.kind === 'stop') {
    reportUnexpected(s);
    if (step.event) s.events.push(step.event);
    return { kind: 'done', decision: finish(s) };
  }
  const { schedule: sched, scheduled } = step;
  const requeue = () => nextScheduleDelayMs({ ...cj, status: statusOf(s) }, now, sched);
  const ours = scheduled ? s.jobs.find((j) => j.metadata.name === scheduledJobName(cj, scheduled) && isControlledBy(j, cj) && !s.deletedUids.has(j.metadata.uid)) : undefined;
  const inActive = ours !== undefined && s.active.some((r) => r.uid === ours.metadata.uid);
  reportUnexpected(s, ours && !inActive && !finishedType(ours) ? ours : undefined);
  if (!scheduled) return { kind: 'done', decision: finish(s, requeue()) };
  const sds = cj.spec.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && scheduled.getTime() + sds * 1000 < now.getTime()) {
    s.events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${formatRfc1123Z(scheduled.getTime())}` });
    return { kind: 'done', decision: finish(s, requeue()) };
  }
  return { kind: 'due', sched, scheduled, ours, requeue };
}

/** Step 5: the due time was handled already (its Job is active, or it is lastScheduleTime). */
function alreadyHandled(s: SyncState, due: DueStart): CronJobDecision | undefined {
  const name = scheduledJobName(s.cj, due.scheduled);
  const last = s.old.lastScheduleTime;
  if (s.active.some((r) => r.name === name) || (last !== undefined && timeMs(last) === due.scheduled.getTime())) return finish(s, due.requeue());
  return undefined;
}

/** Step 6: Forbid with active Jobs starts nothing; Replace deletes the active Jobs (but ours). */
function applyConcurrencyPolicy(s: SyncState, due: DueStart): CronJobDecision | undefined {
  const policy = s.cj.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && s.active.length > 0) {
    s.events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return finish(s, due.requeue());
  }
  if (policy === 'Replace' && s.active.length > 0) {
    const byUid = new Map(s.jobs.map((j) => [j.metadata.uid, j]));
    s.replaceDeletes = s.active.map((r) => byUid.get(r.uid)).filter((j): j is Job => j !== undefined && j !== due.ours);
    const replaced = new Set(s.replaceDeletes.map((j) => j.metadata.uid));
    s.active = s.active.filter((r) => !replaced.has(r.uid));
  }
  return undefined;
}

/** Step 7: create the Job for the due time (or adopt the one a crashed sync created) and record it as started. */
function startDueJob(s: SyncState, due: DueStart): CronJobDecision {
  const d = finish(s);
  if (due.ours) d.adopted = due.ours;
  else d.jobToCreate = buildScheduledJob(s.cj, due.scheduled, s.tzDefault);
  d.scheduledTime = due.scheduled;
  d.status = recordStartedJob(d.statusBeforeCreate, due.ours ?? d.jobToCreate!, due.scheduled);
  d.statusChanged = true;
  const after = nextScheduleDelayMs({ ...s.cj, status: d.status }, s.now, due.sched);
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
