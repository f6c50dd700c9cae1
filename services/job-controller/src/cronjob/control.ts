/**
 * The narrow interface the CronJob sync writes through, and its one implementation over the API
 * client and the event recorder.
 */
import type { CronJob, Job, KObject } from '@kjobs/api';
import { getIfExists, type ApiClient, type EventRecorder } from '@kjobs/client';

/** Every read-through and write the CronJob sync makes. API failures throw ApiError (@kjobs/api). */
export interface CronJobControl {
  /** Uncached GET of a Job; null when it does not exist. */
  getJob(ns: string, name: string): Promise<Job | null>;
  /** POST the Job; throws 409 AlreadyExists when the name is taken. */
  createJob(ns: string, job: Job): Promise<Job>;
  /** DELETE the Job with propagationPolicy Background and a uid precondition. */
  deleteJob(ns: string, name: string, opts: { propagationPolicy: 'Background'; uid?: string }): Promise<void>;
  /** PUT the CronJob's /status (resourceVersion as read); returns the stored CronJob. */
  updateCronJobStatus(cj: CronJob): Promise<CronJob>;
  /** Record an event on the object (source `cronjob-controller`). */
  recordEvent(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The CronJob control over the API (`client`) and the cronjob-controller's recorder. */
export function apiCronJobControl(client: ApiClient, recorder: EventRecorder): CronJobControl {
  return {
    getJob: async (ns, name) => (await getIfExists<Job>(client, 'Job', ns, name)) ?? null,
    createJob: (ns, job) => client.create<Job>('Job', { ...job, metadata: { ...job.metadata, namespace: ns } }),
    deleteJob: async (ns, name, opts) => {
      await client.delete('Job', ns, name, { propagationPolicy: opts.propagationPolicy, ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}) });
    },
    updateCronJobStatus: (cj) => client.update<CronJob>('CronJob', cj, { subresource: 'status' }),
    recordEvent: (obj, type, reason, message) => recorder.record(obj, type, reason, message),
  };
}
