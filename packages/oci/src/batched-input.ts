// Feeds a zlib stream in large writes. Node's zlib makes one thread-pool round trip per write, so
// a layer arriving in 64 KiB socket reads costs about three times the CPU of the same bytes in
// 512 KiB writes (a 42 MB layer: 69 against 21 ms of CPU; docs/benchmarks.md "Sixth session").
// The bytes are copied into a few buffers that are reused for the whole layer, so batching makes
// no garbage. The same batching feeds the unpack workers (unpack-workers.ts), whose buffers are
// moved to the worker and back instead of written.
import { Writable } from 'node:stream';

/** Bytes per write into the target. */
export const BATCH = 512 << 10;
/** Buffers per stream: one filling while the others are being read by the target. */
export const BUFFERS = 3;

/**
 * A Writable that copies what is written to it into `count` reused buffers of `batch` bytes and
 * hands each full buffer (and the rest, `flushRest`) to `send`; a buffer is filled again only once
 * the subclass gives it back (`returned`). Writes wait while every buffer is out.
 */
export abstract class BatchingWritable extends Writable {
  private readonly free: Buffer[];
  private current: Buffer | undefined;
  private used = 0;
  /** A copy waiting for a buffer to come back. */
  private waiting: (() => void) | undefined;

  constructor(batch: number, count: number, alloc: (size: number) => Buffer) {
    super({ highWaterMark: batch });
    this.free = Array.from({ length: count }, () => alloc(batch));
  }

  /** Hands on `data` (the filled part of `whole`); `whole` comes back through `returned`. */
  protected abstract send(data: Buffer, whole: Buffer): void;

  /** A buffer is free to fill again. */
  protected returned(buf: Buffer): void {
    this.free.push(buf);
    const next = this.waiting;
    this.waiting = undefined;
    next?.();
  }

  /** Sends what is buffered (at the end). */
  protected flushRest(): void {
    if (this.used > 0) this.flush();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.copyIn(chunk, 0, cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.waiting = undefined;
    cb(err);
  }

  private copyIn(chunk: Buffer, from: number, cb: (err?: Error | null) => void): void {
    let offset = from;
    while (offset < chunk.length) {
      if (this.destroyed) return cb();
      this.current ??= this.free.pop();
      if (!this.current) {
        this.waiting = () => this.copyIn(chunk, offset, cb);
        return;
      }
      const n = chunk.copy(this.current, this.used, offset);
      this.used += n;
      offset += n;
      if (this.used === this.current.length) this.flush();
    }
    cb();
  }

  private flush(): void {
    const whole = this.current!;
    const data = whole.subarray(0, this.used);
    this.current = undefined;
    this.used = 0;
    this.send(data, whole);
  }
}

/**
 * A BatchingWritable that writes each full buffer (and the rest at the end) to `target`, then ends
 * `target`. A buffer is filled again only once `target` has called back for it, which for a zlib
 * stream means it has consumed the input; so `target` must not keep references to its input after
 * the write callback (zlib does not: its output is in buffers of its own). Destroying one stream
 * destroys the other.
 */
export class BatchedInput extends BatchingWritable {
  constructor(private readonly target: Writable) {
    super(BATCH, BUFFERS, (size) => Buffer.allocUnsafe(size));
    target.once('close', () => { if (!this.destroyed && !this.writableFinished) this.destroy(target.errored ?? new Error('the layer stream closed early')); });
  }

  protected send(data: Buffer, whole: Buffer): void {
    this.target.write(data, (err) => {
      if (err) return void this.destroy(err);
      this.returned(whole);
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.flushRest();
    this.target.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (err && !this.target.destroyed) this.target.destroy(err);
    super._destroy(err, cb);
  }
}
