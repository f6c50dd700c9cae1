import { isApiError, labelSelectorToRequirements, matchesLabels, type Job, type Pod } from '@kjobs/api';
import { Expectations, WorkQueue, keyOf, runWorkers, rvOf } from '@kjobs/client';
import { isJobFinished } from '../job/conditions.js';
import { JOB_TRACKING_FINALIZER } from '../job/constants.js';
import type { BackoffRecord } from '../job/backoff.js';
import type { FinalizerExpectations, JobControl } from '../job/ports.js';
import { syncJob } from '../job/sync-job.js';
import type { JobQueues } from '../memq/job-queues.js';
import { controllerUid, type Shared } from '../shared.js';

const ORPHAN = 'orphan-pod:';

/** Finalizer-removal expectations: uids whose tracking-finalizer removal was sent, per Job key. */
class UidExpectations implements FinalizerExpectations {
  private readonly m = new Map<string, Set<string>>();
  /**
   * A copy, as Kubernetes' getExpectedUIDs clones, taken before the pods are read: a sync pairs it
   * with the pods it read, and awaits writes before counting. Were it the live set, or taken after
   * the pods, a removal observed meanwhile would drop the uid while the sync's pod snapshot still
   * shows the finalizer, and that pod would be counted a second time (seen as 2,000 succeeded from
   * ~1,960 pods in `npm run bench -- jobs`; after the first fix, still 2 in ~5 runs of 2,000 pods).
   */
  expectedUids(key: string): ReadonlySet<string> {
    return new Set(this.m.get(key));
  }
  expectRemovals(key: string, uids: readonly string[]): void {
    let s = this.m.get(key);
    if (!s) this.m.set(key, (s = new Set()));
    for (const u of uids) s.add(u);
  }
  removalObserved(key: string, uid: string): void {
    this.m.get(key)?.delete(uid);
  }
  delete(key: string): void {
    this.m.delete(key);
  }
}

/**
 * The Job controller: informers on Jobs and Pods, a work queue keyed by Job, and `syncJob`
 * (guard → decide → act → record). Pod events map to their controlling Job; expectations keep a
 * sync from acting on a cache that does not yet show its own creates, deletes and finalizer
 * removals. Orphan pods that match a Job's selector are adopted; owned pods that stop matching
 * are released.
 */
export class JobController {
  private readonly queue: WorkQueue;
  private readonly expectations = new Expectations();
  private readonly finalizers = new UidExpectations();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly control: JobControl;
  /**
   * Per Job key, the resourceVersion of this controller's last status write that the cache has
   * not shown yet. A sync waits for the cache to reach it: a Job whose cached status predates our
   * own counting would see a pod we counted (finalizer already gone) as neither active nor
   * counted, and create a pod too many (seen in the soak: 11 pods for completions 10).
   */
  private readonly written = new Map<string, bigint>();

  constructor(
    private readonly s: Shared,
    /** Queue-aware completion (kjobs.io/memq-queue); none: Kubernetes' rules for every Job. */
    private readonly queues?: JobQueues,
  ) {
    this.queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 360_000, name: 'job', metrics: this.s.queueMetrics });
    const rec = s.recorder('job-controller');
    this.control = {
      createPod: (ns, pod) => s.client.create<Pod>('Pod', { ...pod, metadata: { ...pod.metadata, namespace: ns } }),
      deletePod: async (ns, name, opts) => {
        await s.client.delete('Pod', ns, name, opts?.uid ? { preconditions: { uid: opts.uid } } : {});
      },
      patchPod: async (ns, name, patch) => {
        await s.client.patch('Pod', ns, name, 'merge', patch);
      },
      updateJobStatus: async (job) => {
        const stored = await s.client.update<Job>('Job', job, { subresource: 'status' });
        this.written.set(keyOf(stored), rvOf(stored));
        return stored;
      },
      recordEvent: (obj, type, reason, message) => rec.record(obj, type, reason, message),
    };
  }

  start(workers = 4): void {
    const jobOf = (p: Pod): Job | undefined => {
      const uid = controllerUid(p);
      return uid ? this.s.jobs.byIndex('uid', uid)[0] : undefined;
    };
    this.s.jobs.on({
      add: (j) => this.queue.add(keyOf(j)),
      update: (a, j) => {
        this.queue.add(keyOf(j));
        // Finished now: a pod still holding the tracking finalizer is no longer counted by
        // syncJob (a finished Job is not synced), so it is cleaned up as an orphan.
        if (!isJobFinished(a) && isJobFinished(j)) for (const p of this.s.pods.byIndex('owner', j.metadata.uid!)) this.checkOrphan(p);
      },
      delete: (j) => {
        const k = keyOf(j);
        this.expectations.delete(k);
        this.finalizers.delete(k);
        this.written.delete(k);
        this.backoff.delete(k);
        for (const p of this.s.pods.byIndex('owner', j.metadata.uid!)) this.checkOrphan(p);
      },
    });
    this.s.pods.on({
      add: (p) => {
        const j = jobOf(p);
        if (j) {
          this.expectations.creationObserved(keyOf(j));
          this.queue.add(keyOf(j));
          if (isJobFinished(j)) this.checkOrphan(p);
        } else if (!controllerUid(p)) this.enqueueMatchingJobs(p);
        else this.checkOrphan(p);
      },
      update: (old, p) => {
        const j = jobOf(p);
        if (j) {
          if (old.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) && !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) {
            this.finalizers.removalObserved(keyOf(j), p.metadata.uid!);
          }
          this.queue.add(keyOf(j));
        }
        const oj = jobOf(old);
        if (oj && oj !== j) this.queue.add(keyOf(oj));
        if (!controllerUid(p)) this.enqueueMatchingJobs(p);
        if (!j || isJobFinished(j)) this.checkOrphan(p);
      },
      delete: (p) => {
        const j = jobOf(p);
        if (!j) return;
        const k = keyOf(j);
        this.expectations.deletionObserved(k);
        this.finalizers.removalObserved(k, p.metadata.uid!);
        this.queue.add(k);
      },
    });
    void runWorkers(this.queue, workers, (k) => this.sync(k), (k, e) => this.s.log.warn({ job: k, err: e instanceof Error ? e.message : e }, 'job sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }

  /** A pod still carrying the tracking finalizer whose Job is gone or finished: queue its clean-up. */
  private checkOrphan(p: Pod): void {
    if (p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) this.queue.add(`${ORPHAN}${keyOf(p)}`);
  }

  /**
   * Remove the tracking finalizer of a pod whose Job no longer exists or has finished
   * (Kubernetes' syncOrphanPod): a finished Job is never synced again, so without this a pod it
   * did not count (one it was deleting as the Job ended) would keep its finalizer, and a Job
   * deleted in the foreground (the TTL controller's way) would wait for that pod forever. Checked
   * uncached: the Job may just not be in the cache yet.
   */
  private async syncOrphanPod(podKey: string): Promise<void> {
    const p = this.s.pods.get(podKey);
    if (!p || !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) return;
    const ref = p.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job');
    const cached = ref ? this.s.jobs.byIndex('uid', ref.uid)[0] : undefined;
    if (cached && !isJobFinished(cached)) return;
    if (ref && !cached) {
      try {
        const j = await this.s.client.get<Job>('Job', p.metadata.namespace!, ref.name);
        if (j.metadata.uid === ref.uid && !isJobFinished(j)) return;
      } catch (e) {
        if (!isApiError(e, 404)) throw e;
      }
    }
    const finalizers = p.metadata.finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER);
    try {
      await this.s.client.patch('Pod', p.metadata.namespace!, p.metadata.name!, 'merge', { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: p.metadata.resourceVersion } });
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
    }
  }

  private enqueueMatchingJobs(p: Pod): void {
    for (const j of this.s.jobs.byIndex('namespace', p.metadata.namespace ?? '')) {
      if (matchesLabels(labelSelectorToRequirements(j.spec.selector), p.metadata.labels)) this.queue.add(keyOf(j));
    }
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    if (key.startsWith(ORPHAN)) return this.syncOrphanPod(key.slice(ORPHAN.length));
    const job = this.s.jobs.get(key);
    if (!job) return;
    const ours = this.written.get(key);
    if (ours !== undefined) {
      // The informer's update for our write queues this key again; the requeue is a fallback.
      if (rvOf(job) < ours) return { requeueAfterMs: 1_000 };
      this.written.delete(key);
    }
    // Expectations first, then the pods (see SyncJobOptions.readBeforePods): claimPods awaits, and
    // watch events delivered meanwhile update the cache and the expectations together.
    const readBeforePods = { expectationsSatisfied: this.expectations.satisfied(key), expectedFinalizerRemovals: this.finalizers.expectedUids(key) };
    const pods = await this.claimPods(job);
    const queue = await this.queues?.input(job, pods);
    const result = await syncJob(job, pods, this.s.now(), this.control, {
      expectations: this.expectations,
      finalizerExpectations: this.finalizers,
      backoff: this.backoff,
      readBeforePods,
      ...(queue ? { queue } : {}),
    });
    await this.queues?.record(job, queue);
    return result;
  }

  /**
   * The Job's pods (Kubernetes' ControllerRefManager): owned pods that still match the selector,
   * plus orphans that match (adopted by adding the controller reference), minus owned pods that
   * no longer match (released by removing it).
   */
  private async claimPods(job: Job): Promise<Pod[]> {
    const uid = job.metadata.uid!;
    const sel = labelSelectorToRequirements(job.spec.selector);
    const out: Pod[] = [];
    for (const p of this.s.pods.byIndex('owner', uid)) {
      if (controllerUid(p) !== uid) continue;
      if (matchesLabels(sel, p.metadata.labels) || p.metadata.deletionTimestamp) out.push(p);
      else await this.patchOwnerRefs(p, (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid));
    }
    if (job.metadata.deletionTimestamp || sel.length === 0) return out;
    for (const p of this.s.pods.byIndex('namespace', job.metadata.namespace ?? '')) {
      if (controllerUid(p) || p.metadata.deletionTimestamp || !matchesLabels(sel, p.metadata.labels)) continue;
      const refs = [...(p.metadata.ownerReferences ?? []), { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid, controller: true, blockOwnerDeletion: true }];
      if (await this.patchOwnerRefs(p, refs)) out.push({ ...p, metadata: { ...p.metadata, ownerReferences: refs } });
    }
    return out;
  }

  private async patchOwnerRefs(p: Pod, refs: NonNullable<Pod['metadata']['ownerReferences']>): Promise<boolean> {
    try {
      await this.s.client.patch('Pod', p.metadata.namespace!, p.metadata.name!, 'merge', { metadata: { ownerReferences: refs, resourceVersion: p.metadata.resourceVersion } });
      return true;
    } catch (e) {
      if (isApiError(e, 404) || isApiError(e, 409)) return false;
      throw e;
    }
  }
}
