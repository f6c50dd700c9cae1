/**
 * `syncJob`: one Job, level-triggered and idempotent, in Kubernetes' order — guard, read, decide,
 * act, record. Every decision is a pure function in a decide-*.ts file; every write goes through
 * {@link JobSyncDeps.control} and is safe to repeat after a crash at any point (decide-status.ts
 * says why counting stays exact).
 */
import type { Job } from '@kjobs/api';
import { controllerUid } from '../shared.js';
import { claimPods } from './claim-pods.js';
import type { JobSyncDeps } from './control.js';
import { decideCompletion, decideFinishedCondition } from './decide-finished.js';
import { jobSyncGuard, type JobSyncSkip } from './decide-guard.js';
import { decideQueue, type QueueJobFacts } from './decide-queue.js';
import { decideSuspendCondition, planManagePods } from './decide-manage-pods.js';
import { statusAfterManage, type PodCounts } from './decide-status.js';
import { buildJobContext, type JobContext } from './job-context.js';
import { createPods, deletePods } from './write-pods.js';
import { recordJobStatus } from './write-status.js';

/** How long a sync waits for the Job cache to show our own last status write (the informer's update queues it sooner). */
export const OWN_WRITE_RECHECK_MS = 1_000;

/** What the work queue does next with the key: nothing, or sync again after this long. */
export interface JobSyncResult {
  requeueAfterMs?: number;
  /** Why the Job was left alone (guard), if it was. */
  skipped?: JobSyncSkip;
}

/** Sync the Job `key` (namespace/name) from the caches. Throws the first write error after doing what it could. */
export async function syncJob(key: string, d: JobSyncDeps): Promise<JobSyncResult> {
  // 1. Guard. A cached Job older than our own status write would make a pod we counted (finalizer
  //    gone) neither active nor counted, and a pod too many would be created (soak: 11 for 10).
  const job = d.jobs.get(key);
  if (!job) return {};
  if (d.ownWrites.pending(key, job)) return { requeueAfterMs: OWN_WRITE_RECHECK_MS };
  const guard = jobSyncGuard(job);
  if (guard) return skip(job, key, guard, d);
  // 2. Read: expectations BEFORE the pods. A removal or creation observed between the two reads
  //    then only makes this sync wait; the other order pairs a pod snapshot that still shows a
  //    finalizer with expectations that no longer name it, and counts that pod twice.
  const expectationsSatisfied = d.expectations.satisfied(key);
  const expectedFinalizerRemovals = d.finalizers.expectedUids(key);
  const pods = await claimPods(job, d);
  const queue = await d.queues?.input(job, pods);
  const ctx = buildJobContext({ job, pods, now: d.now(), backoff: d.backoff.get(key), expectationsSatisfied, expectedFinalizerRemovals, ...(queue ? { queue } : {}) });
  // 3. Decide whether the Job has ended, and what its MemQ queue (if it names one) asks of this sync.
  let { condition: finished, deadlineRequeueMs } = decideFinishedCondition(ctx);
  const queuePlan = queue ? decideQueue(queueFacts(ctx, d), queue.observation, queue.name, queue.pollMs) : undefined;
  const requeues = [deadlineRequeueMs, queuePlan?.requeueAfterMs].filter((ms): ms is number => ms !== undefined);
  const errors: unknown[] = [];
  const counts: PodCounts = { active: ctx.activePods.length, ready: ctx.ready, terminating: ctx.terminating };
  let conditions = job.status?.conditions ?? [];
  let suspendChanged = false;
  // 4. Act on the pods: an ended Job's active pods go (keeping their finalizers: they are counted);
  //    otherwise suspend, scale down, or create, then decide completion and the Suspended condition.
  if (finished) {
    const r = await deletePods(job, key, ctx.activePods, false, d, errors);
    subtractDeleted(counts, r);
    // Not every pod is gone or the cache may lag our own writes: declare the end next time.
    if (r.deleted !== ctx.activePods.length || !ctx.expectationsSatisfied) finished = null;
  } else {
    const manage = ctx.expectationsSatisfied && !job.metadata.deletionTimestamp;
    if (manage) requeues.push(...(await managePods(ctx, key, counts, d, errors, queuePlan?.wantActive)));
    finished = queuePlan?.mayComplete === false ? null : decideCompletion(ctx, counts.active);
    if (!finished && manage) {
      const s = decideSuspendCondition(ctx, conditions);
      ({ conditions, changed: suspendChanged } = s);
      if (s.event) d.control.recordEvent(job, 'Normal', s.event, s.event === 'Suspended' ? 'Job suspended' : 'Job resumed');
    }
  }
  // 5. Record: count finished pods exactly once and write the status (write-status.ts).
  const next = statusAfterManage(ctx, conditions, counts, suspendChanged);
  await recordJobStatus(ctx, key, { ...next, terminating: counts.terminating }, finished, d, errors);
  if (errors.length > 0) throw errors[0];
  await d.queues?.record(job, queue); // after the status write: it carries the resourceVersion read
  return requeues.length > 0 ? { requeueAfterMs: Math.min(...requeues) } : {};
}

/** A skipped Job: a finished one forgets its backoff; the guard's event, if any, is recorded. */
function skip(job: Job, key: string, g: NonNullable<ReturnType<typeof jobSyncGuard>>, d: JobSyncDeps): JobSyncResult {
  if (g.skipped === 'finished') d.backoff.delete(key);
  if (g.event) d.control.recordEvent(job, g.event.type, g.event.reason, g.event.message);
  return { skipped: g.skipped };
}

/** manageJob: carry out the plan (decide-manage-pods.ts); returns the requeue it asks for, if any. */
async function managePods(ctx: JobContext, key: string, counts: PodCounts, d: JobSyncDeps, errors: unknown[], queueWantActive?: number): Promise<number[]> {
  const plan = planManagePods(ctx, queueWantActive);
  if (plan.kind === 'delete') subtractDeleted(counts, await deletePods(ctx.job, key, plan.pods, true, d, errors));
  if (plan.kind === 'create') counts.active += await createPods(ctx.job, key, plan.pods, d, errors);
  return plan.kind === 'wait' ? [plan.requeueAfterMs] : [];
}

/** The facts decide-queue.ts takes, from the sync's context; the newest pod of all the Job ever ran, the counted ones too. */
function queueFacts(ctx: JobContext, d: JobSyncDeps): QueueJobFacts {
  const owned = d.pods.byIndex('owner', ctx.job.metadata.uid!).filter((p) => controllerUid(p) === ctx.job.metadata.uid);
  const created = [...ctx.pods, ...owned].map((p) => Date.parse(p.metadata.creationTimestamp ?? '')).filter((t) => !Number.isNaN(t));
  const newestPodCreatedMs = created.length > 0 ? Math.max(...created) : undefined;
  return { parallelism: ctx.parallelism, succeeded: ctx.succeeded, active: ctx.activePods.length, suspended: ctx.suspended, nowMs: ctx.nowMs, newestPodCreatedMs };
}

function subtractDeleted(counts: PodCounts, r: { deleted: number; deletedReady: number }): void {
  counts.active -= r.deleted;
  counts.terminating += r.deleted;
  counts.ready -= r.deletedReady;
}
