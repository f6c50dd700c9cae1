/**
 * The whole Job sync decision as data: `decideJobSync` runs the sync program
 * (job-sync-program.ts) with every write succeeding and collects what it would do — pods to create
 * and delete, finalizers to remove, each status write, events, requeue and backoff.
 */
import type { JobStatus, Pod } from '@kjobs/api';
import type { BackoffRecord } from './backoff.js';
import type { JobSyncInput } from './job-context.js';
import {
  type CreateOutcome,
  type DeleteOutcome,
  type FinalizerOutcome,
  type JobEffect,
  type JobSyncResult,
  type StatusOutcome,
  jobSyncProgram,
} from './job-sync-program.js';
import type { PlannedEvent } from './track-status.js';

export type { JobSyncInput } from './job-context.js';
export type { PlannedEvent } from './track-status.js';
export type { JobEffect, JobSyncResult } from './job-sync-program.js';

/** The whole decision of one sync when every write succeeds. */
export interface JobSyncDecision {
  /** Every effect in order. */
  effects: JobEffect[];
  result: JobSyncResult;
  /** Pods to create, in order (all batches). */
  podsToCreate: Pod[];
  /** Pods to delete and whether their finalizer goes first. */
  podsToDelete: { pod: Pod; removeFinalizerFirst: boolean }[];
  /** Pods whose tracking finalizer is removed. */
  finalizersToRemove: Pod[];
  /** Each status written, in order (the uncounted write, then the counted/terminal one). */
  statusWrites: JobStatus[];
  /** The status after the last write (or the unchanged status). */
  finalStatus: JobStatus;
  events: PlannedEvent[];
  /** The backoff record to keep for this Job; null = forget it; undefined = unchanged. */
  backoff: BackoffRecord | null | undefined;
}

/**
 * Decide a whole sync purely: run {@link jobSyncProgram} with every write succeeding (a created pod
 * keeps its generateName as its name) and collect what it would do.
 */
export function decideJobSync(input: JobSyncInput): JobSyncDecision {
  const d: JobSyncDecision = {
    effects: [],
    result: { errors: [] },
    podsToCreate: [],
    podsToDelete: [],
    finalizersToRemove: [],
    statusWrites: [],
    finalStatus: input.job.status ?? {},
    events: [],
    backoff: undefined,
  };
  const program = jobSyncProgram(input);
  let step = program.next();
  while (!step.done) {
    const e = step.value;
    d.effects.push(e);
    let outcome: unknown;
    switch (e.kind) {
      case 'event':
        d.events.push(e.event);
        break;
      case 'deletePods':
        for (const pod of e.pods) d.podsToDelete.push({ pod, removeFinalizerFirst: e.removeFinalizerFirst });
        outcome = { results: e.pods.map((pod) => ({ pod })) } satisfies DeleteOutcome;
        break;
      case 'createPods':
        d.podsToCreate.push(...e.pods);
        outcome = { results: e.pods.map((p) => ({ created: p })) } satisfies CreateOutcome;
        break;
      case 'updateStatus':
        d.statusWrites.push(e.job.status ?? {});
        d.finalStatus = e.job.status ?? {};
        outcome = { job: e.job } satisfies StatusOutcome;
        break;
      case 'removeFinalizers':
        d.finalizersToRemove.push(...e.pods);
        outcome = { removed: e.pods.map((p) => p.metadata.uid ?? '') } satisfies FinalizerOutcome;
        break;
      case 'saveBackoff':
        d.backoff = e.record;
        break;
      case 'dropBackoff':
        d.backoff = null;
        break;
    }
    step = program.next(outcome);
  }
  d.result = step.value;
  return d;
}
