/**
 * One sync of the real controller against the real API, summed up as the whole decision it made:
 * the pods it created (per slow-start batch) and deleted, the finalizers it removed, each status
 * it wrote, its events, backoff and requeue — read from the recorded writes, uids in fixture names.
 */
import { afterEach } from 'vitest';
import type { Job, JobStatus, Pod } from '@kjobs/api';
import { ts } from '../job/test-fixtures.js';
import type { BackoffRecord } from '../job/backoff.js';
import type { JobSyncResult } from '../job/sync.js';
import { JobTestCluster } from './job-test-cluster.js';
import type { LoggedWrite, TestEvent } from './recorder.js';

/** One step of the sync, in order; consecutive writes of one kind form one step. */
export type SyncEffect =
  | { kind: 'createPods'; pods: Pod[] }
  | { kind: 'deletePods'; pods: string[] }
  | { kind: 'removeFinalizers'; pods: string[] }
  | { kind: 'updateStatus'; status: JobStatus }
  | { kind: 'saveBackoff'; record: BackoffRecord }
  | { kind: 'dropBackoff' }
  | { kind: 'event'; event: TestEvent };

/** The whole decision of one sync. */
export interface SyncDecision {
  effects: SyncEffect[];
  result: JobSyncResult;
  /** Pods the controller asked to create, in order (all batches). */
  podsToCreate: Pod[];
  /** Pods deleted, in the order planned, and whether the tracking finalizer went first. */
  podsToDelete: { pod: Pod; removeFinalizerFirst: boolean }[];
  /** Pods whose tracking finalizer was removed (counting, not deleting). */
  finalizersToRemove: Pod[];
  /** Each status written, in order. */
  statusWrites: JobStatus[];
  /** The Job's status as stored after the sync. */
  finalStatus: JobStatus;
  events: TestEvent[];
  /** The backoff record kept for this Job; null = forgotten; undefined = unchanged. */
  backoff: BackoffRecord | null | undefined;
}

/** Controller state a sync starts from besides the objects (Kubernetes keeps it in memory). */
export interface SyncMemory {
  /** False: the controller still waits to see one of its pod creations. */
  expectationsSatisfied?: boolean;
  /** Fixture uids whose finalizer removal the controller sent and has not seen yet. */
  expectedFinalizerRemovals?: ReadonlySet<string>;
  backoff?: BackoffRecord;
}

/** A `run(job, pods, now?, memory?)` for a test file: each call syncs once on a fresh cluster, stopped after its test. */
export function syncOnceEach(defaultNow: Date): (job: Job, pods: Pod[], now?: Date, memory?: SyncMemory) => Promise<SyncDecision> {
  const clusters: JobTestCluster[] = [];
  afterEach(async () => {
    for (const c of clusters.splice(0)) await c.stop();
  });
  return (job, pods, now = defaultNow, memory = {}) => syncOnce(job, pods, now, memory, (c) => clusters.push(c));
}

/** A Job status as a first sync leaves it: started at T0, every counter 0. */
export const STARTED: JobStatus = { startTime: ts(0), active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0 };

/** The condition of that type in a status. */
export const cond = (st: { conditions?: { type: string; status: string; reason?: string; message?: string }[] }, type: string) => st.conditions?.find((c) => c.type === type);

/** The reasons of a decision's events, in order. */
export const reasons = (d: SyncDecision) => d.events.map((e) => e.reason);

/**
 * Store `job` and `pods` (test-fixtures objects) in a fresh api-server, sync once at `now` with the
 * given controller memory, and return the decision. `onCluster` receives the cluster to stop.
 */
export async function syncOnce(job: Job, pods: Pod[], now: Date, memory: SyncMemory, onCluster: (c: JobTestCluster) => void): Promise<SyncDecision> {
  const c = await JobTestCluster.start(job, now, { pods });
  onCluster(c);
  await c.settle();
  const { deps } = c.controller;
  if (memory.expectationsSatisfied === false) deps.expectations.raise(c.key, 1, 0);
  if (memory.expectedFinalizerRemovals) deps.finalizers.expectUids(c.key, [...memory.expectedFinalizerRemovals].map((u) => c.uids.real(u)));
  if (memory.backoff) deps.backoff.set(c.key, memory.backoff);
  c.rec.log.length = 0;
  c.rec.events.length = 0;
  const { result, error } = await c.sync();
  if (error) throw error;
  return summarize(c, c.rec.log, result!);
}

function summarize(c: JobTestCluster, log: readonly LoggedWrite[], result: JobSyncResult): SyncDecision {
  const effects: SyncEffect[] = [];
  const deleted: string[] = [];
  const firstPatch = new Map<string, number>();
  const d: SyncDecision = { effects, result, podsToCreate: [], podsToDelete: [], finalizersToRemove: [], statusWrites: [], finalStatus: c.uids.toFixture(c.job.status ?? {}), events: [], backoff: undefined };
  const pod = (name: string): Pod => c.uids.toFixture(c.seeded.get(name) ?? c.pods.get(name) ?? ({ metadata: { name } } as Pod));
  for (const [i, w] of log.entries()) {
    const last = effects[effects.length - 1];
    if (w.op === 'createPod') {
      if (last?.kind === 'createPods' && (log[i - 1] as { batch?: number }).batch === w.batch) last.pods.push(w.pod);
      else effects.push({ kind: 'createPods', pods: [w.pod] });
      d.podsToCreate.push(w.pod);
    } else if (w.op === 'patchPod' && deletedLater(log, i, w.name)) {
      firstPatch.set(w.name, i);
      if (last?.kind === 'deletePods') last.pods.push(w.name);
      else effects.push({ kind: 'deletePods', pods: [w.name] });
      deleted.push(w.name);
    } else if (w.op === 'deletePod') {
      if (!firstPatch.has(w.name)) {
        if (last?.kind === 'deletePods') last.pods.push(w.name);
        else effects.push({ kind: 'deletePods', pods: [w.name] });
        deleted.push(w.name);
      }
    } else if (w.op === 'patchPod') {
      if (last?.kind === 'removeFinalizers') last.pods.push(w.name);
      else effects.push({ kind: 'removeFinalizers', pods: [w.name] });
      d.finalizersToRemove.push(pod(w.name));
    } else if (w.op === 'updateJobStatus') {
      const status = c.uids.toFixture(w.status);
      effects.push({ kind: 'updateStatus', status });
      d.statusWrites.push(status);
    } else if (w.op === 'saveBackoff') {
      effects.push({ kind: 'saveBackoff', record: w.record });
      d.backoff = w.record;
    } else if (w.op === 'dropBackoff') {
      effects.push({ kind: 'dropBackoff' });
      d.backoff = null;
    } else {
      effects.push({ kind: 'event', event: w.event });
      d.events.push(w.event);
    }
  }
  d.podsToDelete = deleted.map((name) => ({ pod: pod(name), removeFinalizerFirst: firstPatch.has(name) }));
  return d;
}

/** Is this patch of `name` the first half of a delete (the next write naming the pod deletes it)? */
function deletedLater(log: readonly LoggedWrite[], i: number, name: string): boolean {
  for (const w of log.slice(i + 1)) {
    if ((w.op === 'patchPod' || w.op === 'deletePod') && w.name === name) return w.op === 'deletePod';
  }
  return false;
}
