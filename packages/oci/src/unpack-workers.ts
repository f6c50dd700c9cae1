// Unpacking on worker threads. A pull's main thread reads the blob from the socket and checks its
// digest; gunzip, the diff_id, the tar parsing and the file writes run in an unpack worker
// (unpack-worker.ts), which takes the bytes in 512 KiB buffers moved across (transferred, not
// copied) and sends each buffer back when zlib has consumed it. On two cores a pull takes 2–17 %
// less time than unpacking on the main thread, enough to pass `skopeo copy` (docs/benchmarks.md
// "Tenth session"); with one core it would only add hand-offs, so the default there is no workers.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BATCH, BUFFERS, BatchingWritable } from './batched-input.js';
import { UnsafeLayerEntryError } from './errors.js';
import type { FromWorker, ToWorker, WorkerError } from './unpack-protocol.js';
import { startUnpack, type LayerUnpack, type Logger, type UnpackOptions } from './unpack-layer.js';

/**
 * The unpack worker's code as one script, put here by the service bundles (scripts/bundle.mjs):
 * a bundle has no TypeScript file to start a worker from. Undefined when running from source.
 */
declare const KJOBS_UNPACK_WORKER_SOURCE: string | undefined;

/** A worker with no layer for this long ends (a node pulls in bursts: a pod's images, a Job's pods). */
const IDLE_MS = 30_000;

/** Unpack workers by default: two where there are two cores or more, else none (unpacking on the main thread). */
export function defaultUnpackWorkers(): number {
  return availableParallelism() >= 2 ? 2 : 0;
}

const pools = new Map<number, UnpackWorkers>();

/**
 * Where a layer is unpacked: the process's pool of `workers` threads, or the calling thread when
 * `workers` is 0. Pools are per process and shared by every image store in it.
 */
export function layerUnpacker(workers: number): (dir: string, opts: UnpackOptions) => LayerUnpack {
  if (workers <= 0) return startUnpack;
  let pool = pools.get(workers);
  if (!pool) {
    pool = new UnpackWorkers(workers);
    pools.set(workers, pool);
  }
  const chosen = pool;
  return (dir, opts) => chosen.start(dir, opts);
}

/** Up to `size` unpack workers, started when first needed; a layer goes to the least busy one. */
export class UnpackWorkers {
  private readonly threads = new Set<UnpackThread>();
  private lastId = 0;

  /** `idleMs`: how long a worker without a layer lives on (default 30 s). */
  constructor(private readonly size: number, private readonly idleMs = IDLE_MS) {}

  /** Workers running now. */
  get running(): number {
    return this.threads.size;
  }

  /** Starts unpacking a layer in a worker: the contract of startUnpack (unpack-layer.ts). */
  start(dir: string, opts: UnpackOptions): LayerUnpack {
    const thread = this.pick();
    const id = ++this.lastId;
    const input = new WorkerInput((m, transfer) => thread.send(m, transfer), id);
    const done = new Promise<{ diffId: string }>((resolve, reject) => {
      thread.add(id, {
        ack: (buffer) => input.giveBack(buffer),
        done: (diffId) => resolve({ diffId }),
        failed: (err) => {
          // As in startUnpack: a failed unpacking destroys its input, which ends a writer's wait
          // ('close'); the error is `done`'s.
          input.destroy();
          reject(err);
        },
        log: opts.log,
      });
    });
    thread.send({ type: 'start', id, dir, compression: opts.compression });
    if (opts.signal) {
      const signal = opts.signal;
      const onAbort = (): void => void input.destroy(signal.reason instanceof Error ? signal.reason : new Error('the unpacking was cancelled'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void done.catch(() => undefined).finally(() => signal.removeEventListener('abort', onAbort));
    }
    return { input, done };
  }

  private pick(): UnpackThread {
    let best: UnpackThread | undefined;
    for (const t of this.threads) if (!best || t.load < best.load) best = t;
    if (best && (best.load === 0 || this.threads.size >= this.size)) return best;
    const thread = new UnpackThread(this.idleMs, () => this.threads.delete(thread));
    this.threads.add(thread);
    return thread;
  }
}

interface LayerHandlers {
  ack(buffer: ArrayBuffer): void;
  done(diffId: string): void;
  failed(err: Error): void;
  log?: Logger;
}

/** One worker thread and the layers it is unpacking. Ends after IDLE_MS without a layer. */
class UnpackThread {
  private readonly worker: Worker;
  private readonly layers = new Map<number, LayerHandlers>();
  private idle: NodeJS.Timeout | undefined;
  private gone: Error | undefined;

  /** `onGone`: the worker failed or ended; it takes no more layers. */
  constructor(private readonly idleMs: number, private readonly onGone: () => void) {
    this.worker = startWorker();
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (err) => this.end(err));
    this.worker.on('exit', (code) => this.end(new Error(`the unpack worker ended (exit code ${code})`)));
    this.setIdle();
  }

  get load(): number {
    return this.layers.size;
  }

  add(id: number, handlers: LayerHandlers): void {
    if (this.gone) return handlers.failed(this.gone);
    clearTimeout(this.idle);
    this.worker.ref(); // the worker's answer is all a pull waits for at the end
    this.layers.set(id, handlers);
  }

  send(m: ToWorker, transfer?: ArrayBuffer[]): void {
    if (!this.gone) this.worker.postMessage(m, transfer);
  }

  private receive(m: FromWorker): void {
    const layer = this.layers.get(m.id);
    if (!layer) return;
    switch (m.type) {
      case 'ack':
        return layer.ack(m.buffer);
      case 'log':
        return layer.log?.[m.level](m.obj, m.msg);
      case 'done':
        this.remove(m.id);
        return layer.done(m.diffId);
      case 'failed':
        this.remove(m.id);
        return layer.failed(toError(m.error));
    }
  }

  private remove(id: number): void {
    this.layers.delete(id);
    if (this.layers.size === 0) this.setIdle();
  }

  private setIdle(): void {
    this.worker.unref();
    this.idle = setTimeout(() => void this.worker.terminate(), this.idleMs);
    this.idle.unref();
  }

  /** The worker failed or exited: every layer it had fails. */
  private end(err: Error): void {
    this.gone ??= err;
    this.onGone();
    clearTimeout(this.idle);
    const layers = [...this.layers.values()];
    this.layers.clear();
    for (const layer of layers) layer.failed(err);
  }
}

function startWorker(): Worker {
  return new Worker(typeof KJOBS_UNPACK_WORKER_SOURCE === 'string' ? KJOBS_UNPACK_WORKER_SOURCE : sourceScript(), { eval: true, execArgv: [] });
}

/**
 * From source (tsx, vitest): a script that requires the worker's TypeScript through tsx's CommonJS
 * hook (a dev dependency); Node 20 does not carry `--import` loader hooks into worker threads.
 */
function sourceScript(): string {
  const require = createRequire(import.meta.url);
  const files = [require.resolve('tsx/cjs'), fileURLToPath(new URL('./unpack-worker.ts', import.meta.url))];
  return files.map((f) => `require(${JSON.stringify(f)});`).join('\n');
}

function toError(e: WorkerError): Error {
  if (e.name === 'UnsafeLayerEntryError' && e.entry !== undefined) return new UnsafeLayerEntryError(e.entry, e.reason ?? '');
  const err = Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
  err.name = e.name;
  return err;
}

/**
 * The Writable a pull writes a layer blob into: it copies the bytes into BUFFERS buffers of BATCH
 * bytes and moves each full one (and the rest at the end) to the worker, filling a buffer again
 * only once the worker has sent it back. Destroyed with an error, it tells the worker to stop.
 */
class WorkerInput extends BatchingWritable {
  constructor(private readonly post: (m: ToWorker, transfer?: ArrayBuffer[]) => void, private readonly id: number) {
    // Buffers of their own (never a slice of Node's pool): they are moved to the worker whole.
    super(BATCH, BUFFERS, (size) => Buffer.from(new ArrayBuffer(size)));
  }

  giveBack(buffer: ArrayBuffer): void {
    this.returned(Buffer.from(buffer));
  }

  protected send(data: Buffer, whole: Buffer): void {
    const buffer = whole.buffer as ArrayBuffer;
    this.post({ type: 'chunk', id: this.id, buffer, length: data.length }, [buffer]);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.flushRest();
    this.post({ type: 'end', id: this.id });
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (err && !this.writableFinished) this.post({ type: 'abort', id: this.id, message: err.message });
    super._destroy(err, cb);
  }
}
