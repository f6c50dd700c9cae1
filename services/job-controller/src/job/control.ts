/**
 * The narrow interface the Job sync writes through (Kubernetes' podControl, the status updater and
 * the event recorder in one), and its implementation over the API client. Tests wrap the real one
 * to count or fail writes; they never replace the API behind it.
 */
import type { Job, KObject, Pod } from '@kjobs/api';
import type { ApiClient, EventRecorder, Expectations, Informer, OwnWrites, UidExpectations } from '@kjobs/client';
import type { BackoffRecord } from './backoff.js';
import type { JobSyncInput } from './job-context.js';

/** Every write the Job controller makes. Errors are thrown (ApiError from @kjobs/api for API failures). */
export interface JobControl {
  /** POST the pod (it has generateName); returns the created pod with its name and uid. */
  createPod(ns: string, pod: Pod): Promise<Pod>;
  /** DELETE the pod, with a uid precondition when given. */
  deletePod(ns: string, name: string, opts?: { uid?: string }): Promise<void>;
  /** JSON merge patch of the pod. */
  patchPod(ns: string, name: string, patch: unknown): Promise<void>;
  /** PUT the Job's /status (with the resourceVersion it carries); returns the stored Job. */
  updateJobStatus(job: Job): Promise<Job>;
  /** GET the Job from the API, not the cache (the orphan-pod check). */
  getJob(ns: string, name: string): Promise<Job>;
  /** Record an event on the object (source `job-controller`). */
  recordEvent(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Where the in-memory pod-recreation backoff records live, per Job key (a Map fits). */
export interface BackoffStore {
  get(key: string): BackoffRecord | undefined;
  set(key: string, record: BackoffRecord): void;
  delete(key: string): void;
}

/** The JobControl of a running controller: the API client and the `job-controller` event recorder. */
export function apiJobControl(client: ApiClient, recorder: EventRecorder): JobControl {
  return {
    createPod: (ns, pod) => client.create<Pod>('Pod', { ...pod, metadata: { ...pod.metadata, namespace: ns } }),
    deletePod: async (ns, name, opts) => {
      await client.delete('Pod', ns, name, opts?.uid ? { preconditions: { uid: opts.uid } } : {});
    },
    patchPod: async (ns, name, patch) => {
      await client.patch('Pod', ns, name, 'merge', patch);
    },
    updateJobStatus: (job) => client.update<Job>('Job', job, { subresource: 'status' }),
    getJob: (ns, name) => client.get<Job>('Job', ns, name),
    recordEvent: (obj, type, reason, message) => recorder.record(obj, type, reason, message),
  };
}

/**
 * What one Job sync works with: the caches, the clock, the writes, and the controller's in-memory
 * state (lost on restart, as in Kubernetes; each is rebuilt from what the caches show).
 */
export interface JobSyncDeps {
  jobs: Informer<Job>;
  pods: Informer<Pod>;
  now(): Date;
  control: JobControl;
  /**
   * Pod creates/deletes sent but not yet seen in the pod cache, per Job key: until they are, the
   * sync creates and deletes nothing (the cache does not show its own last round).
   */
  expectations: Expectations;
  /** Uids of pods whose tracking-finalizer removal was sent but not yet seen: never counted again. */
  finalizers: UidExpectations;
  backoff: BackoffStore;
  /** The controller's own last status write of each Job, until the Job cache shows it. */
  ownWrites: OwnWrites<Job>;
  /** Queue-aware completion (kjobs.io/memq-queue, memq/job-queues.ts); none: Kubernetes' rules for every Job. */
  queues?: JobQueueAccess;
}

/** What a sync asks of MemQ: the queue a Job names and what MemQ says of it, and its record on the Job afterwards. */
export interface JobQueueAccess {
  input(job: Job, pods: readonly Pod[]): Promise<JobSyncInput['queue']>;
  record(job: Job, input: JobSyncInput['queue']): Promise<void>;
}
