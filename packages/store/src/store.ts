import type { KObject, ResourceInfo } from '@kjobs/api';
import type { FieldRequirement, LabelRequirement } from '@kjobs/api';

/**
 * The versioned object store: the contract every store (Redis, in-memory) passes, checked by
 * `runStoreContract` in contract.ts. Only the api-server writes through it.
 *
 * Guarantees:
 * - `resourceVersion` is a decimal string of a global, strictly increasing revision; every write
 *   gets a new one, and one change record in the kind's change log (the outbox).
 * - `update`/`delete` with an expected resourceVersion are compare-and-swap: a stale one throws
 *   ApiError 409 Conflict carrying the current object (`err.current`).
 * - `changesSince(res, rv)` returns every change of that kind after rv, in order, or throws
 *   ApiError 410 Expired once the history was trimmed past rv.
 * - The store never validates or defaults objects; it stores what it is given (metadata.uid,
 *   creationTimestamp, generation are set by the caller). It never stores resourceVersion inside
 *   the object body; it injects it on read.
 */
export interface Store {
  /** Insert; throws AlreadyExists. Returns the object with its new resourceVersion. */
  create(res: ResourceInfo, obj: KObject): Promise<KObject>;
  /** The object, or undefined. */
  get(res: ResourceInfo, namespace: string, name: string): Promise<KObject | undefined>;
  /** One page of objects sorted by namespace/name, with the list's resourceVersion. */
  list(res: ResourceInfo, opts?: StoreListOptions): Promise<StoreListResult>;
  /**
   * The same page as `list`, each object as stored: its JSON without resourceVersion (encodeBody)
   * and its revision, so a server can answer without decoding and re-encoding every object.
   */
  listJson(res: ResourceInfo, opts?: StoreListOptions): Promise<StoreJsonListResult>;
  /**
   * Replace the stored object. `expectedRv` (or, when undefined, obj.metadata.resourceVersion if
   * non-empty) must equal the stored one, else Conflict. Throws NotFound when absent.
   */
  update(res: ResourceInfo, obj: KObject, opts?: { expectedRv?: string }): Promise<KObject>;
  /** Remove; throws NotFound / Conflict. Returns the last state with the delete's resourceVersion. */
  delete(res: ResourceInfo, namespace: string, name: string, opts?: { expectedRv?: string }): Promise<KObject>;
  /** Changes of this kind after `rv` (exclusive), oldest first, at most `limit`. Throws 410 when trimmed. */
  changesSince(res: ResourceInfo, rv: string, limit?: number): Promise<ChangeBatch>;
  /** Wait (up to blockMs) for changes after the given per-resource revisions; used by the relay. */
  tail(cursors: Map<ResourceInfo, string>, blockMs: number, signal?: AbortSignal): Promise<ChangeRecord[]>;
  /** The current global revision. */
  revision(): Promise<string>;
  /** Release connections. */
  close(): Promise<void>;
  /**
   * Optional start-up step (RedisStore): apply the restart rule — if the backing server restarted
   * or failed over since the last call, bump the revision and raise the watch floor so every older
   * resourceVersion answers 410. Idempotent; call after connecting and after every reconnect.
   */
  init?(): Promise<void>;
}

export interface StoreListOptions {
  /** Only this namespace ("" or undefined: all). */
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** Only objects with an ownerReference to this uid (indexed). */
  ownerUid?: string;
  /** Page size; 0/undefined: everything. */
  limit?: number;
  /** Opaque token from a previous page. Throws 410 when it is malformed or too old. */
  continue?: string;
}

export interface StoreListResult {
  items: KObject[];
  /** The revision the list (its first page) was read at. */
  resourceVersion: string;
  /** Set when more pages remain. */
  continue?: string;
}

/** An object as stored: its JSON without `metadata.resourceVersion` (encodeBody), and that revision. */
export interface StoredJson {
  rv: string;
  body: string;
}

export interface StoreJsonListResult {
  items: StoredJson[];
  resourceVersion: string;
  continue?: string;
}

/** One change of one object, as kept in the kind's change log. */
export interface ChangeRecord {
  resource: ResourceInfo;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Revision of this change (= object's resourceVersion after it). */
  rv: string;
  /** Revision of the previous change in this kind's log ("0" for the first). */
  prev: string;
  /** The object after the change (for DELETED: its last state, with rv as resourceVersion). */
  object: KObject;
  /**
   * When the store has them: the object's stored JSON (no resourceVersion) and its namespace, so
   * a relay can pass the change on without decoding `object` (which is then decoded on first use).
   */
  raw?: { json: string; namespace: string };
}

export interface ChangeBatch {
  events: ChangeRecord[];
  /** Highest revision examined for this kind (≥ rv); the next call should start after it. */
  last: string;
}
