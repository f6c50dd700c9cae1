// The messages between unpack-workers.ts (the main thread) and unpack-worker.ts (a worker thread).
// One worker unpacks several layers at once; every message names its layer by `id`.

/** Main thread → worker. */
export type ToWorker =
  /** Start unpacking a layer into the existing empty directory `dir`. */
  | { type: 'start'; id: number; dir: string; compression: 'gzip' | 'none' }
  /** The next `length` bytes of the blob, in a transferred buffer the worker sends back (`ack`). */
  | { type: 'chunk'; id: number; buffer: ArrayBuffer; length: number }
  /** The blob is complete. */
  | { type: 'end'; id: number }
  /** Stop: the download failed or the pull was cancelled; the worker answers `failed`. */
  | { type: 'abort'; id: number; message: string };

/** An error as it crosses the thread boundary; `entry` and `reason` for an UnsafeLayerEntryError. */
export interface WorkerError { name: string; message: string; code?: string; entry?: string; reason?: string }

/** Worker → main thread. */
export type FromWorker =
  /** The buffer of a `chunk`, free to fill again. */
  | { type: 'ack'; id: number; buffer: ArrayBuffer }
  /** Every entry is on disk; the sha256 of the uncompressed tar. */
  | { type: 'done'; id: number; diffId: string }
  | { type: 'failed'; id: number; error: WorkerError }
  /** A line for the layer's logger. */
  | { type: 'log'; id: number; level: 'debug' | 'info' | 'warn'; obj: object; msg?: string };
