import { NotReplicatedError } from './replica-wait.js';
import { alreadyExists, conflict, notFound, unavailable, type ApiError, type KObject, type ResourceInfo } from '@kjobs/api';

/** The failures a write can report before it changes anything. */
export type WriteFailure =
  | { code: 'EXISTS' }
  | { code: 'NOTFOUND' }
  | { code: 'CONFLICT'; expectedRv: string; current: KObject };

/**
 * The one mapping from a write's failure code to its ApiError (both stores use it):
 * EXISTS → 409 AlreadyExists, NOTFOUND → 404, CONFLICT → 409 Conflict carrying the current
 * object (with its resourceVersion) in `err.current`. A delete's conflict uses Kubernetes'
 * precondition wording.
 */
export function writeError(res: ResourceInfo, name: string, op: 'create' | 'update' | 'delete', f: WriteFailure): ApiError {
  switch (f.code) {
    case 'EXISTS':
      return alreadyExists(res, name);
    case 'NOTFOUND':
      return notFound(res, name);
    case 'CONFLICT':
      return op === 'delete'
        ? conflict(res, name, f.current,
            `the ResourceVersion in the precondition (${f.expectedRv}) does not match the ResourceVersion in record (${f.current.metadata.resourceVersion}). The object might have been modified`)
        : conflict(res, name, f.current);
  }
}

/**
 * A write or read that the Redis replicas did not confirm (store `durability`) → 503
 * ServiceUnavailable saying what happened; any other error (a lost connection) passes through.
 */
export function replicationError(e: unknown, what: 'write' | 'read'): unknown {
  if (!(e instanceof NotReplicatedError)) return e;
  const rule = `${e.detail} (KJOBS_REDIS_WAIT_REPLICAS, KJOBS_REDIS_WAIT_TIMEOUT_MS)`;
  return what === 'write'
    ? unavailable(`the write reached the Redis primary but is not acknowledged: ${rule}. It may be lost if the primary fails now, or it may have been applied; read the object, then retry`)
    : unavailable(`the Redis replicas have not confirmed the changes this read found: ${rule}. Retry when a replica is back`);
}
