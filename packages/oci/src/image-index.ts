// The store's image index: names and digests → PulledImage, kept in memory and persisted to
// images.json by write-then-rename (a crash leaves the old or the new file, never half of one).
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ImageConfig } from './manifest.js';

/** An image in the store, ready to run. */
export interface PulledImage {
  /** Canonical name, e.g. docker.io/library/busybox:latest. */
  name: string;
  /** The config digest (`sha256:…`), as `crictl images` shows the image ID. */
  id: string;
  /** `<registry>/<repository>@sha256:<digest of the manifest or index the reference resolved to>`. */
  repoDigest: string;
  config: ImageConfig;
  /** Absolute unpacked layer directories, bottom first: the overlay lowerdirs (reverse them for `lowerdir=`). */
  layers: string[];
  /** Compressed bytes of the layers plus the config. */
  size: number;
}

interface IndexFile { version: 1; images: PulledImage[] }

/** In-memory index of PulledImage records by name, with lookups by repo digest and id. */
export class ImageIndex {
  private readonly byName = new Map<string, PulledImage>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  /** Loads `file`; a missing file is an empty index. */
  static async load(file: string): Promise<ImageIndex> {
    const index = new ImageIndex(file);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text) for (const image of (JSON.parse(text) as IndexFile).images) index.byName.set(image.name, image);
    return index;
  }

  /** The image recorded under this canonical name. */
  byCanonicalName(name: string): PulledImage | undefined {
    return this.byName.get(name);
  }

  /** An image whose repoDigest is `repoDigest` (`registry/repo@sha256:…`). */
  byRepoDigest(repoDigest: string): PulledImage | undefined {
    for (const image of this.byName.values()) if (image.repoDigest === repoDigest) return image;
    return undefined;
  }

  /** An image whose config digest (ID) is `id`. */
  byId(id: string): PulledImage | undefined {
    for (const image of this.byName.values()) if (image.id === id) return image;
    return undefined;
  }

  /** Records the image under its name and persists the index; saves are serialised. */
  async put(image: PulledImage): Promise<void> {
    this.byName.set(image.name, image);
    const body = JSON.stringify({ version: 1, images: [...this.byName.values()] } satisfies IndexFile, null, 1);
    const save = this.saving.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, this.file);
    });
    this.saving = save.catch(() => undefined);
    await save;
  }
}
