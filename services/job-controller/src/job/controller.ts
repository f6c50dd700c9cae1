/**
 * The Job controller: informers on Jobs and Pods whose handlers only map events to keys (and note
 * what the expectations wait for), a work queue of Job keys synced by `syncJob` (sync.ts), and a
 * second queue of orphan pods — pods holding the tracking finalizer for a Job that is gone or
 * finished — synced by `syncOrphanPod` (Kubernetes' orphanQueue).
 */
import { labelSelectorToRequirements, matchesLabels, type Job, type Pod } from '@kjobs/api';
import { Expectations, OwnWrites, UidExpectations, WorkQueue, keyOf, runWorkers } from '@kjobs/client';
import { controllerUid, jobsMaySelect, type Shared } from '../shared.js';
import type { BackoffRecord } from './backoff.js';
import { isJobFinished } from './conditions.js';
import { apiJobControl, type JobControl, type JobQueueAccess, type JobSyncDeps } from './control.js';
import { hasTrackingFinalizer } from './pod-facts.js';
import { syncJob, type JobSyncResult } from './sync.js';
import { syncOrphanPod } from './sync-orphan-pod.js';

/** Options of a JobController. */
export interface JobControllerOptions {
  /** The writes (default: the API client and the `job-controller` event recorder). Tests wrap the default to count or fail writes. */
  control?: (base: JobControl) => JobControl;
}

export class JobController {
  /** What every sync works with; the expectations and backoff here are this controller's memory. */
  readonly deps: JobSyncDeps;
  private readonly queue: WorkQueue;
  private readonly orphanQueue: WorkQueue;

  constructor(
    private readonly s: Shared,
    /** Queue-aware completion (kjobs.io/memq-queue); none: Kubernetes' rules for every Job. */
    queues?: JobQueueAccess,
    o: JobControllerOptions = {},
  ) {
    this.queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 360_000, name: 'job', metrics: s.queueMetrics });
    this.orphanQueue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 360_000, name: 'job_orphan_pod', metrics: s.queueMetrics });
    const base = apiJobControl(s.client, s.recorder('job-controller'));
    this.deps = {
      jobs: s.jobs, pods: s.pods, now: s.now, control: o.control ? o.control(base) : base,
      expectations: new Expectations(), finalizers: new UidExpectations(), backoff: new Map<string, BackoffRecord>(), ownWrites: new OwnWrites<Job>(),
      ...(queues ? { queues } : {}),
    };
  }

  /** Register the event handlers (enqueue only). */
  watch(): void {
    this.s.jobs.on({ add: (j) => this.queue.add(keyOf(j)), update: (a, j) => this.onJobUpdate(a, j), delete: (j) => this.onJobDelete(j) });
    this.s.pods.on({ add: (p) => this.onPodAdd(p), update: (a, p) => this.onPodUpdate(a, p), delete: (p) => this.onPodDelete(p) });
  }

  /** Register the handlers and run the workers of both queues. */
  start(workers = 4): void {
    this.watch();
    const warn = (what: string) => (k: string, e: unknown) => this.s.log.warn({ [what]: k, err: e instanceof Error ? e.message : e }, `${what} sync failed`);
    void runWorkers(this.queue, workers, (k) => this.sync(k), warn('job'));
    void runWorkers(this.orphanQueue, 1, (k) => this.syncOrphanPod(k), warn('pod'));
  }

  stop(): void {
    this.queue.shutdown();
    this.orphanQueue.shutdown();
  }

  /** Sync one Job key now (the workers' entry; tests call it directly). */
  sync(key: string): Promise<JobSyncResult> {
    return syncJob(key, this.deps);
  }

  /** Sync one orphan pod key now. */
  syncOrphanPod(podKey: string): Promise<void> {
    return syncOrphanPod(podKey, this.deps);
  }

  private jobOf(p: Pod): Job | undefined {
    const uid = controllerUid(p);
    return uid ? this.s.jobs.byIndex('uid', uid)[0] : undefined;
  }

  /** A pod still holding the tracking finalizer whose Job is gone or finished: queue its clean-up. */
  private enqueueOrphan(p: Pod): void {
    if (hasTrackingFinalizer(p)) this.orphanQueue.add(keyOf(p));
  }

  private enqueueMatchingJobs(p: Pod): void {
    for (const j of jobsMaySelect(this.s.jobs, p)) {
      if (matchesLabels(labelSelectorToRequirements(j.spec.selector), p.metadata.labels)) this.queue.add(keyOf(j));
    }
  }

  private onJobUpdate(old: Job, j: Job): void {
    this.queue.add(keyOf(j));
    // Finished now: a pod still holding the tracking finalizer is no longer counted by syncJob (a
    // finished Job is not synced), so it is cleaned up as an orphan.
    if (!isJobFinished(old) && isJobFinished(j)) for (const p of this.s.pods.byIndex('owner', j.metadata.uid!)) this.enqueueOrphan(p);
  }

  private onJobDelete(j: Job): void {
    const k = keyOf(j);
    this.deps.expectations.delete(k);
    this.deps.finalizers.delete(k);
    this.deps.ownWrites.forget(k);
    this.deps.backoff.delete(k);
    for (const p of this.s.pods.byIndex('owner', j.metadata.uid!)) this.enqueueOrphan(p);
  }

  private onPodAdd(p: Pod): void {
    const j = this.jobOf(p);
    if (j) {
      this.deps.expectations.creationObserved(keyOf(j));
      this.queue.add(keyOf(j));
      if (isJobFinished(j)) this.enqueueOrphan(p);
    } else if (!controllerUid(p)) this.enqueueMatchingJobs(p);
    else this.enqueueOrphan(p);
  }

  private onPodUpdate(old: Pod, p: Pod): void {
    const j = this.jobOf(p);
    if (j) {
      if (hasTrackingFinalizer(old) && !hasTrackingFinalizer(p)) this.deps.finalizers.observed(keyOf(j), p.metadata.uid!);
      this.queue.add(keyOf(j));
    }
    const oj = this.jobOf(old);
    if (oj && oj !== j) this.queue.add(keyOf(oj));
    if (!controllerUid(p)) this.enqueueMatchingJobs(p);
    if (!j || isJobFinished(j)) this.enqueueOrphan(p);
  }

  private onPodDelete(p: Pod): void {
    const j = this.jobOf(p);
    if (!j) return;
    const k = keyOf(j);
    this.deps.expectations.deletionObserved(k);
    this.deps.finalizers.observed(k, p.metadata.uid!);
    this.queue.add(k);
  }
}
