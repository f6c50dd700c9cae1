/**
 * The record step of a Job sync (Kubernetes trackJobStatusAndRemoveFinalizers): the three-phase
 * status write that counts every finished pod exactly once (see decide-status.ts for why), then
 * the finished events. Write errors are collected; nothing after a failed phase is attempted.
 */
import type { Job, JobCondition, JobStatus } from '@kjobs/api';
import type { JobSyncDeps } from './control.js';
import { countRemovedFinalizers, enactJobFinished, planStatusTracking } from './decide-status.js';
import type { JobContext } from './job-context.js';
import { removeFinalizers } from './write-pods.js';

type Deps = Pick<JobSyncDeps, 'control' | 'expectations' | 'finalizers' | 'backoff' | 'ownWrites'>;

/** PUT the status; remember the stored Job as our own write (the next sync waits for the cache to show it). */
async function writeStatus(job: Job, status: JobStatus, d: Deps): Promise<Job> {
  const stored = await d.control.updateJobStatus({ ...job, status });
  d.ownWrites.record(stored);
  return stored;
}

/**
 * Record a sync's status. Does:
 * 1. phase 1: write the status with the new uncounted uids and any interim condition (when it
 *    changed), then keep the new pod-recreation backoff;
 * 2. phase 2: remove the finalizers of those pods;
 * 3. phase 3: move removed uids into the counters, enact Complete/Failed once nothing is uncounted
 *    or terminating, write the status, and record the finished events.
 */
export async function recordJobStatus(
  ctx: JobContext,
  key: string,
  next: { status: JobStatus; needsFlush: boolean; terminating: number },
  finished: JobCondition | null,
  d: Deps,
  errors: unknown[],
): Promise<void> {
  const plan = planStatusTracking(ctx, next.status, finished, next.needsFlush);
  let current: Job = ctx.job;
  let st = plan.status;
  if (plan.needsFlush) {
    try {
      current = await writeStatus(current, st, d);
    } catch (e) {
      errors.push(e);
      return;
    }
    st = current.status ?? st;
    d.backoff.set(key, ctx.backoff);
  }
  const withFinalizer = new Set(plan.uidsWithFinalizer);
  let rmError: unknown;
  if (plan.podsToRemoveFinalizer.length > 0) {
    const out = await removeFinalizers(key, plan.podsToRemoveFinalizer, d);
    for (const uid of out.removed) withFinalizer.delete(uid);
    rmError = out.error;
  }
  const counted = countRemovedFinalizers(st, withFinalizer);
  st = counted.status;
  if (rmError !== undefined) {
    errors.push(rmError);
    if (counted.changed) await writeStatus(current, st, d).catch((e: unknown) => errors.push(e));
    return;
  }
  const done = plan.reachedMaxUncounted ? null : enactJobFinished(st, plan.terminalCondition, next.terminating, ctx.completions, ctx.now);
  if (!done && !counted.changed) return;
  try {
    await writeStatus(current, done?.status ?? st, d);
  } catch (e) {
    errors.push(e);
    return;
  }
  for (const e of done?.events ?? []) d.control.recordEvent(ctx.job, e.type, e.reason, e.message);
}
