import type { Status, StatusCause } from './types.js';
import { qualifiedResource, type ResourceInfo } from './resources.js';

/**
 * The one error family of the API. Every failure a client can see is an ApiError; the HTTP error
 * middleware and the NATS API responder are the only places that turn it into a `Status`.
 */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
    /** For Conflict on update: the object as it is now, so a caller can retry from it. */
    readonly current?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The Kubernetes `Status` body for this error. */
  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }

  /** Rebuild an ApiError from a `Status` body received over HTTP or NATS. */
  static fromStatus(s: Partial<Status>): ApiError {
    return new ApiError(s.code ?? 500, s.reason ?? 'InternalError', s.message ?? 'unknown error', s.details);
  }
}

type Res = Pick<ResourceInfo, 'group' | 'resource'>;

function details(res: Res, name: string): Status['details'] {
  return { name, group: res.group, kind: res.resource };
}

/** 404 `jobs.batch "x" not found`. */
export function notFound(res: Res, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(res)} "${name}" not found`, details(res, name));
}

/** 409 `jobs.batch "x" already exists`. */
export function alreadyExists(res: Res, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(res)} "${name}" already exists`, details(res, name));
}

/** 409 Conflict on a stale resourceVersion; `current` is the stored object. */
export function conflict(res: Res, name: string, current?: unknown, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(res)} "${name}": ${why}`, details(res, name), current);
}

/** 422 Invalid with field causes; message as kube-apiserver builds it. */
export function invalid(res: Pick<ResourceInfo, 'group' | 'kind'>, name: string, causes: StatusCause[]): ApiError {
  const qualifiedKind = res.group ? `${res.kind}.${res.group}` : res.kind;
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : `${c.message}`));
  const msg = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${msg}`, { name, group: res.group, kind: res.kind, causes });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 410 Gone / Expired: a watch or continue token older than the kept history. */
export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** 403 Forbidden. */
export function forbidden(res: Res, name: string, message: string): ApiError {
  return new ApiError(403, 'Forbidden', `${qualifiedResource(res)} "${name}" is forbidden: ${message}`, details(res, name));
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

/** 413 RequestEntityTooLarge. */
export function tooLarge(message = 'the request body is too large'): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', message);
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** 503 ServiceUnavailable. */
export function unavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** 401 Unauthorized. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** True when `e` is an ApiError with this HTTP code. */
export function isApiError(e: unknown, code?: number): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}
