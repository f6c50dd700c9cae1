/**
 * The narrow interfaces the Job sync writes through. The controller wires them to the API client,
 * the event recorder and its in-memory expectations; tests use in-memory fakes.
 */
import type { Job, KObject, Pod } from '@kjobs/api';
import type { BackoffRecord } from './backoff.js';

/** Every write the Job sync makes. Errors are thrown (ApiError from @kjobs/api for API failures). */
export interface JobControl {
  /** POST the pod (it has generateName); returns the created pod with its name and uid. */
  createPod(ns: string, pod: Pod): Promise<Pod>;
  /** DELETE the pod, with a uid precondition when given. */
  deletePod(ns: string, name: string, opts?: { uid?: string }): Promise<void>;
  /** JSON merge patch of the pod. */
  patchPod(ns: string, name: string, patch: unknown): Promise<void>;
  /** PUT the Job's /status (with the resourceVersion it carries); returns the stored Job. */
  updateJobStatus(job: Job): Promise<Job>;
  /** Record an event on the object (source `job-controller`). */
  recordEvent(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/**
 * Pod create/delete expectations per Job key (the client's Expectations class fits): until the
 * informer shows our own creates/deletes, a sync must not create or delete again.
 */
export interface PodExpectations {
  raise(key: string, adds: number, dels: number): void;
  creationObserved(key: string): void;
  deletionObserved(key: string): void;
  satisfied(key: string): boolean;
}

/**
 * Finalizer-removal expectations per Job key (Kubernetes uidTrackingExpectations): uids whose
 * finalizer removal was sent but not yet seen in the cache. Those pods are never counted again; the
 * informer handler calls `removalObserved` when an update shows the finalizer gone or the pod deleted.
 */
export interface FinalizerExpectations {
  expectedUids(key: string): ReadonlySet<string>;
  expectRemovals(key: string, uids: readonly string[]): void;
  removalObserved(key: string, uid: string): void;
}

/** Where the in-memory pod-recreation backoff records live, per Job key. */
export interface BackoffStore {
  get(key: string): BackoffRecord | undefined;
  set(key: string, record: BackoffRecord): void;
  delete(key: string): void;
}
