/**
 * The narrow interfaces the CronJob sync writes through; the controller wires them to the API
 * client and event recorder, tests to in-memory fakes.
 */
import type { CronJob, Job, KObject } from '@kjobs/api';

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
