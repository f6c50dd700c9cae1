// Feeds a zlib stream in large writes. Node's zlib makes one thread-pool round trip per write, so
// a layer arriving in 64 KiB socket reads costs about three times the CPU of the same bytes in
// 512 KiB writes (a 42 MB layer: 69 against 21 ms of CPU; docs/benchmarks.md "Sixth session").
// The bytes are copied into a few buffers that are reused for the whole layer, so batching makes
// no garbage.
import { Writable } from 'node:stream';

/** Bytes per write into the target. */
const BATCH = 512 << 10;
/** Buffers per stream: one filling while the others are being read by the target. */
const BUFFERS = 3;

/**
 * A Writable that copies what is written to it into `BUFFERS` reused buffers of `BATCH` bytes and
 * writes each full buffer (and the rest at the end) to `target`, then ends `target`. A buffer is
 * filled again only once `target` has called back for it, which for a zlib stream means it has
 * consumed the input; so `target` must not keep references to its input after the write callback
 * (zlib does not: its output is in buffers of its own). Destroying one stream destroys the other.
 */
export class BatchedInput extends Writable {
  private readonly free: Buffer[] = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafe(BATCH));
  private current: Buffer | undefined;
  private used = 0;
  /** A copy waiting for a buffer to come back from the target. */
  private waiting: (() => void) | undefined;

  constructor(private readonly target: Writable) {
    super({ highWaterMark: BATCH });
    target.once('close', () => { if (!this.destroyed && !this.writableFinished) this.destroy(target.errored ?? new Error('the layer stream closed early')); });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.copyIn(chunk, 0, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.used > 0) this.flush();
    this.target.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (err && !this.target.destroyed) this.target.destroy(err);
    cb(err);
  }

  private copyIn(chunk: Buffer, from: number, cb: (err?: Error | null) => void): void {
    let offset = from;
    while (offset < chunk.length) {
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
    const buf = this.current!;
    const data = buf.subarray(0, this.used);
    this.current = undefined;
    this.used = 0;
    this.target.write(data, (err) => {
      if (err) return void this.destroy(err);
      this.free.push(buf);
      const next = this.waiting;
      this.waiting = undefined;
      next?.();
    });
  }
}
