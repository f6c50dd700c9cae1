import type { ApiError, KList, KObject, Status, WatchEvent } from '@kjobs/api';

/** Options of list and watch calls, as in the Kubernetes REST API (selectors as strings). */
export interface ListOptions {
  /** Namespace to list in; undefined or "" lists every namespace (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** For watch: changes after this revision; "" or "0" starts with ADDED events for current objects. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

/** DeleteOptions (query or body). */
export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export type PatchType = 'merge' | 'json' | 'strategic';

/** A running watch; `stop()` ends it and no more events are delivered. */
export interface WatchHandle {
  stop(): void;
  /** Resolves when the watch ended (stopped, server closed, or failed: then with the error). */
  done: Promise<Error | undefined>;
}

/** Options of the pod log subresource. */
export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

/**
 * One client for the kjobs API, whatever the transport (HTTP for people and the CLI, NATS for the
 * services). Kinds are named by `kind` ("Job", "Pod", …); namespaced calls take the namespace
 * explicitly or from `obj.metadata.namespace`. Every failure is an `ApiError` (from `@kjobs/api`)
 * with the server's Status code and reason.
 */
export interface ApiClient {
  get<T extends KObject = KObject>(kind: string, namespace: string, name: string): Promise<T>;
  list<T extends KObject = KObject>(kind: string, opts?: ListOptions): Promise<KList<T>>;
  create<T extends KObject = KObject>(kind: string, obj: T): Promise<T>;
  /**
   * Several creates in one message, where the transport has it (NATS: the `batch` verb): each
   * object's created form or its ApiError, in order. Each is handled as if created alone.
   */
  createMany?<T extends KObject = KObject>(kind: string, objs: T[]): Promise<(T | ApiError)[]>;
  /** PUT; with `subresource: 'status'` only the status is written. Sends the object's resourceVersion (CAS). */
  update<T extends KObject = KObject>(kind: string, obj: T, opts?: { subresource?: 'status' }): Promise<T>;
  patch<T extends KObject = KObject>(kind: string, namespace: string, name: string, type: PatchType, patch: unknown, opts?: { subresource?: 'status' }): Promise<T>;
  /** DELETE; returns the object (still present with deletionTimestamp, or its last state) or a Success Status. */
  delete(kind: string, namespace: string, name: string, opts?: DeleteOptions): Promise<KObject | Status>;
  /** POST to a subresource: `binding`, `eviction`. */
  createSubresource(kind: string, namespace: string, name: string, subresource: string, body: unknown): Promise<unknown>;
  /** Watch; `onEvent` is called in order. */
  watch<T extends KObject = KObject>(kind: string, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle;
  /** A pod's log (whole text, not followed). */
  logs(namespace: string, name: string, opts?: LogOptions): Promise<string>;
  /** Release the transport. */
  close(): Promise<void>;
}
