import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BatchedInput } from './batched-input.js';

/** A target that takes each write late (as zlib does) and keeps a copy of it. */
function slowTarget(): { target: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const target = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      setImmediate(() => { writes.push(Buffer.from(chunk)); cb(); });
    },
  });
  return { target, writes };
}

describe('BatchedInput', () => {
  it('passes every byte in order, in writes of at most 512 KiB, through reused buffers', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    const { target, writes } = slowTarget();
    const chunks: Buffer[] = [];
    for (let at = 0; at < data.length;) {
      const n = Math.min(data.length - at, 1 + Math.floor(Math.random() * 200_000));
      chunks.push(data.subarray(at, at + n));
      at += n;
    }
    const finished = new Promise((resolve) => target.on('finish', resolve));
    await pipeline(Readable.from(chunks), new BatchedInput(target));
    await finished;
    expect(Buffer.concat(writes).equals(data)).toBe(true);
    expect(Math.max(...writes.map((w) => w.length))).toBe(512 * 1024);
    expect(writes.length).toBe(7);
  });

  it('feeds gunzip to the same bytes, and a target error destroys the input', async () => {
    const plain = randomBytes(2_000_000);
    const out: Buffer[] = [];
    const gunzip = createGunzip();
    gunzip.on('data', (c: Buffer) => out.push(c));
    const ended = new Promise((resolve) => gunzip.on('end', resolve));
    const input = new BatchedInput(gunzip);
    const gz = gzipSync(plain);
    for (let at = 0; at < gz.length; at += 65_536) input.write(gz.subarray(at, at + 65_536));
    input.end();
    await ended;
    expect(Buffer.concat(out).equals(plain)).toBe(true);

    const broken = createGunzip();
    broken.on('error', () => undefined); // in startUnpack the pipeline takes gunzip's error
    const input2 = new BatchedInput(broken);
    const closed = new Promise((resolve) => input2.on('close', resolve));
    input2.on('error', () => undefined);
    for (let i = 0; i < 20; i++) input2.write(Buffer.alloc(64 * 1024, 'not gzip at all'));
    await closed;
    expect(input2.errored?.message).toMatch(/incorrect header check/);
  });
});
