// The one module that builds paths inside an image store root.
import { join } from 'node:path';
import { digestHex } from './digest.js';

/**
 * Paths of an image store under `root`:
 *   blobs/sha256/<hex>   manifests, indexes and configs (small)
 *   layers/<hex>/        an unpacked layer (hex of the compressed layer digest), complete when present
 *   tmp/                 downloads and layers being unpacked; emptied when a store opens
 *   images.json          the image index, replaced by write-then-rename
 * Digests go through digestHex, so a hostile digest cannot name a path outside the root.
 */
export class StorePaths {
  constructor(readonly root: string) {}

  get blobs(): string { return join(this.root, 'blobs', 'sha256'); }
  get layers(): string { return join(this.root, 'layers'); }
  get tmp(): string { return join(this.root, 'tmp'); }
  get images(): string { return join(this.root, 'images.json'); }

  /** The stored manifest or config blob of `digest`. */
  blob(digest: string): string { return join(this.blobs, digestHex(digest)); }
  /** The unpacked directory of the layer whose compressed blob has `digest`. */
  layer(digest: string): string { return join(this.layers, digestHex(digest)); }
  /** A fresh temp path inside the store (same file system as the final place, so rename is atomic). */
  tmpPath(prefix: string): string { return join(this.tmp, `${prefix}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`); }
}
