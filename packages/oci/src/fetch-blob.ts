// Downloads one blob to a file while hashing it; nothing stays unless size and digest match.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError } from './errors.js';
import type { Descriptor } from './manifest.js';
import type { ImageSource } from './registry-client.js';

/**
 * Streams the blob of `desc` from `source` into `tmpFile` while hashing it, then renames it to
 * `dest` (when given; same file system). Guarantees: on return the file's sha256 is `desc.digest`
 * and its size `desc.size`; on any error (DigestMismatchError with containerd's "failed commit on
 * ref" wording, an oversized blob, a network error) the temp file is removed and `dest` untouched.
 */
export async function fetchBlob(source: ImageSource, repository: string, desc: Descriptor, kind: 'layer' | 'config' | 'manifest',
  tmpFile: string, dest?: string, signal?: AbortSignal): Promise<void> {
  const ref = `${kind}-${desc.digest}`;
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > desc.size) return cb(new Error(`failed commit on ref "${ref}": commit failed: unexpected commit size ${size}+, expected ${desc.size}: failed precondition`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    const body = await source.openBlob(repository, desc.digest, signal);
    await pipeline(body, counter, createWriteStream(tmpFile, { flags: 'wx', mode: 0o600 }), { signal });
    if (size !== desc.size) throw new Error(`failed commit on ref "${ref}": commit failed: unexpected commit size ${size}, expected ${desc.size}: failed precondition`);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== desc.digest) throw new DigestMismatchError(ref, actual, desc.digest);
    if (dest) await rename(tmpFile, dest);
  } catch (err) {
    await rm(tmpFile, { force: true });
    throw err;
  }
}
