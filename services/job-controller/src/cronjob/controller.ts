import type { CronJob, Job } from '@kjobs/api';
import { WorkQueue, keyOf, runWorkers } from '@kjobs/client';
import { controllerUid, type Shared } from '../shared.js';
import { apiCronJobControl } from './control.js';
import { syncCronJob, type CronJobSyncContext } from './sync.js';

/** The CronJob sync's view of the shared caches and the API (the controller's, and tests'). */
export function cronJobSyncContext(s: Shared, defaultTimeZone = 'UTC'): CronJobSyncContext {
  return {
    cronJob: (key) => s.cronjobs.get(key),
    jobsOf: (cj: CronJob) => s.jobs.byIndex('owner', cj.metadata.uid!).filter((j) => controllerUid(j) === cj.metadata.uid),
    control: apiCronJobControl(s.client, s.recorder('cronjob-controller')),
    now: s.now,
    defaultTimeZone,
  };
}

/**
 * The CronJob controller (cronjob_controllerv2): a queue keyed by CronJob; CronJob events and
 * events of the Jobs a CronJob controls enqueue its key; each sync (sync.ts) reconciles the active
 * list and history, starts the due run, and requeues for exactly the next schedule time (+100 ms).
 */
export class CronJobController {
  private readonly queue: WorkQueue;
  private readonly context: CronJobSyncContext;

  constructor(private readonly s: Shared, defaultTimeZone = 'UTC') {
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 60_000, name: 'cronjob', metrics: this.s.queueMetrics });
    this.context = cronJobSyncContext(s, defaultTimeZone);
  }

  /**
   * Every CronJob on the same schedule comes due at the same instant, and a sync is mostly waiting
   * on two API round trips (create the Job, write status): with few workers, lateness grows as
   * CronJobs / workers × round trip (`npm run bench -- cron`, 200 CronJobs: p50 3.2 s with 2
   * workers, 1.0 s with 16). Syncs of different CronJobs are independent and the API pipelines
   * their requests, so many workers cost nothing: 64.
   */
  start(workers = 64): void {
    const ownerKey = (j: Job) => {
      const uid = controllerUid(j);
      const cj = uid ? this.s.cronjobs.byIndex('uid', uid)[0] : undefined;
      if (cj) this.queue.add(keyOf(cj));
    };
    this.s.cronjobs.on({ add: (c) => this.queue.add(keyOf(c)), update: (_a, c) => this.queue.add(keyOf(c)), delete: () => undefined });
    this.s.jobs.on({ add: ownerKey, update: (_a, j) => ownerKey(j), delete: ownerKey });
    void runWorkers(this.queue, workers, (k) => syncCronJob(k, this.context), (k, e) => this.s.log.warn({ cronjob: k, err: e instanceof Error ? e.message : e }, 'cronjob sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
