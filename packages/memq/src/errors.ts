/**
 * The MemQ error family. `message` is the exact text kuard writes in its `400` body (without the
 * trailing newline), so the HTTP handler can send `err.message + "\n"` unchanged.
 */
export class MemqError extends Error {
  constructor(
    message: string,
    /** HTTP status the handler answers with. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'MemqError';
  }
}

/** kuard `ErrNotExist`: the queue was never created or was deleted. */
export class QueueNotFoundError extends MemqError {
  constructor() {
    super('does not exist', 400);
    this.name = 'QueueNotFoundError';
  }
}

/** kuard `ErrAlreadyExist`: PUT on an existing queue. */
export class QueueExistsError extends MemqError {
  constructor() {
    super('already exists', 400);
    this.name = 'QueueExistsError';
  }
}

/** kuard `ErrEmptyName`: an empty queue path segment (`/queues//enqueue`). */
export class EmptyNameError extends MemqError {
  constructor() {
    super('empty name', 400);
    this.name = 'EmptyNameError';
  }
}

/** kjobs lease mode: the lease is unknown, already acked, or expired (its item went back to the queue). */
export class LeaseNotFoundError extends MemqError {
  constructor() {
    super('lease not found', 400);
    this.name = 'LeaseNotFoundError';
  }
}

/** kjobs lease mode: `?lease=` is not a positive Go duration (`30s`, `1m30s`, `500ms`) or seconds. */
export class InvalidLeaseError extends MemqError {
  constructor(value: string) {
    super(`invalid lease duration ${JSON.stringify(value)}`, 400);
    this.name = 'InvalidLeaseError';
  }
}

/** Script / broker return codes below zero, mapped in one place (see `errorFromCode`). */
export const ResultCode = {
  QueueNotFound: -1,
  QueueExists: -2,
  LeaseNotFound: -3,
} as const;

/** Turn a negative script result code into its error; throws on an unknown code. */
export function errorFromCode(code: number): MemqError {
  switch (code) {
    case ResultCode.QueueNotFound:
      return new QueueNotFoundError();
    case ResultCode.QueueExists:
      return new QueueExistsError();
    case ResultCode.LeaseNotFound:
      return new LeaseNotFoundError();
    default:
      return new MemqError(`unexpected result code ${code}`, 500);
  }
}
