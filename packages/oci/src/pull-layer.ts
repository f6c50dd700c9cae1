// Fetches and unpacks one layer in a single streaming pass: the HTTP body is hashed as it arrives
// and fed straight into gunzip and the tar extractor; no compressed copy is written to disk.
import type { Readable, Writable } from 'node:stream';
import { DigestMismatchError } from './errors.js';
import { BlobVerifier } from './fetch-blob.js';
import type { Descriptor } from './manifest.js';
import type { ImageSource } from './registry-client.js';
import { startUnpack, type LayerUnpack, type Logger, type UnpackOptions } from './unpack-layer.js';

/** Options of pullLayer. */
export interface PullLayerOptions {
  compression: 'gzip' | 'none';
  /** The diff_id the image config records for this layer; asked for once the layer is unpacked. */
  diffId: () => Promise<string | undefined>;
  log?: Logger;
  signal?: AbortSignal;
  /** Where the layer is unpacked (unpack-workers.ts). Default: on this thread. */
  unpack?: (dir: string, opts: UnpackOptions) => LayerUnpack;
}

/**
 * Streams the layer blob of `desc` from `source` into the existing empty directory `dir`.
 * Guarantees: it returns only when the blob's size and sha256 are `desc`'s and the uncompressed
 * stream's sha256 is the diff_id; otherwise it throws and the caller removes `dir` (nothing is
 * written outside it: unpacking refuses escaping entries whatever the bytes are). Does:
 * 1. open the blob and start unpacking; 2. hash each chunk, then hand it to the unpacker
 * (waiting while it is behind); 3. verify size and digest; 4. report an unpack error; 5. compare
 * the diff_id. After an unpack error the rest of the blob is still read and hashed, because a
 * tampered blob can fail to unpack in any way and the digest mismatch is the true cause.
 */
export async function pullLayer(source: ImageSource, repository: string, desc: Descriptor, dir: string, opts: PullLayerOptions): Promise<void> {
  const verifier = new BlobVerifier(desc, 'layer');
  const body = await source.openBlob(repository, desc.digest, opts.signal);
  const { input, done } = (opts.unpack ?? startUnpack)(dir, { compression: opts.compression, log: opts.log, signal: opts.signal });
  input.on('error', () => undefined); // what went wrong is reported by `done` or by the body
  let unpacked: { diffId: string } | undefined;
  let unpackError: { err: unknown } | undefined;
  const unpacking = done.then((r) => { unpacked = r; }, (err: unknown) => { unpackError = { err }; });
  try {
    await feed(body, verifier, input, () => unpackError !== undefined);
    if (!input.destroyed) input.end();
  } catch (err) {
    // The body failed or the blob is longer than the manifest says: stop unpacking, report that.
    input.destroy(err as Error);
    await unpacking;
    throw err;
  }
  await unpacking;
  verifier.verify();
  if (unpackError) throw unpackError.err;
  const diffId = await opts.diffId();
  if (unpacked && diffId && unpacked.diffId !== diffId) throw new DigestMismatchError(`layer-${desc.digest}`, unpacked.diffId, diffId);
}

/**
 * Hashes every chunk of `body` and writes it to `input` unless `failed()` (the unpacking gave up) or
 * `input` is gone, pausing the body while `input` is behind; resolves at the body's end. 'data'
 * events hand over each chunk as it came; an async iterator would read() the whole buffer each
 * time, concatenating up to the read-ahead into a new buffer.
 */
function feed(body: Readable, verifier: BlobVerifier, input: Writable, failed: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => {
      body.destroy();
      reject(err);
    };
    body.on('data', (chunk: Buffer) => {
      try {
        verifier.update(chunk);
      } catch (err) {
        return fail(err);
      }
      if (failed() || input.destroyed || input.write(chunk)) return;
      body.pause();
      void writable(input).then(() => body.resume());
    });
    body.once('end', () => resolve());
    body.once('error', fail);
  });
}

/** Resolves when `stream` wants more data or is gone (destroyed after an error). */
function writable(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      stream.off('drain', settle);
      stream.off('close', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}
