// Downloads one blob to a file while hashing it; nothing stays unless size and digest match.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError } from './errors.js';
import type { Descriptor } from './manifest.js';
import type { ImageSource } from './registry-client.js';

/** What a blob is, in containerd's ref names (`layer-sha256:…`). */
export type BlobKind = 'layer' | 'config' | 'manifest';

/**
 * Counts and hashes a blob's bytes as they stream by. `update` throws as soon as the blob is
 * longer than `desc.size` (so a hostile endpoint cannot make it read forever); `verify` throws
 * unless exactly `desc.size` bytes whose sha256 is `desc.digest` went by. Both errors read like
 * containerd's "failed commit on ref".
 */
export class BlobVerifier {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private readonly ref: string;

  constructor(private readonly desc: Descriptor, kind: BlobKind) {
    this.ref = `${kind}-${desc.digest}`;
  }

  update(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.desc.size) throw new Error(`failed commit on ref "${this.ref}": commit failed: unexpected commit size ${this.size}+, expected ${this.desc.size}: failed precondition`);
    this.hash.update(chunk);
  }

  verify(): void {
    if (this.size !== this.desc.size) throw new Error(`failed commit on ref "${this.ref}": commit failed: unexpected commit size ${this.size}, expected ${this.desc.size}: failed precondition`);
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.desc.digest) throw new DigestMismatchError(this.ref, actual, this.desc.digest);
  }
}

/**
 * Streams the blob of `desc` from `source` into `tmpFile` while hashing it, then renames it to
 * `dest` (when given; same file system). Guarantees: on return the file's sha256 is `desc.digest`
 * and its size `desc.size`; on any error (DigestMismatchError with containerd's "failed commit on
 * ref" wording, an oversized blob, a network error) the temp file is removed and `dest` untouched.
 */
export async function fetchBlob(source: ImageSource, repository: string, desc: Descriptor, kind: BlobKind,
  tmpFile: string, dest?: string, signal?: AbortSignal): Promise<void> {
  const verifier = new BlobVerifier(desc, kind);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        verifier.update(chunk);
      } catch (err) {
        return cb(err as Error);
      }
      cb(null, chunk);
    },
  });
  try {
    const body = await source.openBlob(repository, desc.digest, signal);
    await pipeline(body, counter, createWriteStream(tmpFile, { flags: 'wx', mode: 0o600 }), { signal });
    verifier.verify();
    if (dest) await rename(tmpFile, dest);
  } catch (err) {
    await rm(tmpFile, { force: true });
    throw err;
  }
}
