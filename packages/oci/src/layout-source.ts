// A `file://` mirror endpoint: an OCI image layout directory (oci-layout, index.json, blobs/).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, isSha256Digest, sha256Digest } from './digest.js';
import { DigestMismatchError, NotFoundError } from './errors.js';
import type { Descriptor } from './manifest.js';
import type { ImageSource, ManifestResult } from './registry-client.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Reads images from an OCI image layout. A tag is found through the index.json entry whose
 * `org.opencontainers.image.ref.name` annotation is `<repository>:<tag>` as this endpoint sees it
 * (e.g. `library/busybox:latest`); manifests are verified against their digest like a registry's.
 */
export class LayoutSource implements ImageSource {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = `file://${dir}`;
  }

  async getManifest(repository: string, reference: string, _signal?: AbortSignal): Promise<ManifestResult> {
    let digest = reference;
    let mediaType = '';
    if (!isSha256Digest(reference)) {
      const index = await readFile(join(this.dir, 'index.json'), 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT' ? new NotFoundError(`${this.location}: no index.json`) : err;
      });
      const entry = ((JSON.parse(index) as { manifests?: Descriptor[] }).manifests ?? [])
        .find((m) => m.annotations?.[REF_NAME] === `${repository}:${reference}`);
      if (!entry) throw new NotFoundError(`${this.location}: no manifest named ${repository}:${reference}`);
      digest = entry.digest;
      mediaType = entry.mediaType;
    }
    const body = await readFile(this.blobPath(digest)).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new NotFoundError(`${this.location}: blob ${digest} not found`) : err;
    });
    const actual = sha256Digest(body);
    if (actual !== digest) throw new DigestMismatchError(`manifest-${digest}`, actual, digest);
    try {
      mediaType = (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ?? mediaType;
    } catch { /* the store reports the unparsable manifest */ }
    return { body, mediaType, digest };
  }

  async openBlob(_repository: string, digest: string, _signal?: AbortSignal): Promise<Readable> {
    const path = this.blobPath(digest);
    await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new NotFoundError(`${this.location}: blob ${digest} not found`) : err;
    });
    return createReadStream(path);
  }

  private blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(digest));
  }
}
