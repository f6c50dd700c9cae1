import { alreadyExists, conflict, notFound, type ApiError, type KObject, type ResourceInfo } from '@kjobs/api';

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
