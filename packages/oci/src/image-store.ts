// A per-node, content-addressed image store: pulls through the mirrors, verifies every blob,
// unpacks each layer once into a directory usable as an overlayfs lowerdir.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TokenCache } from './auth.js';
import { digestHex } from './digest.js';
import { DigestMismatchError, ImagePullError, ImageRefError, NotFoundError, UnsafeLayerEntryError } from './errors.js';
import { fetchBlob } from './fetch-blob.js';
import { endpointsFor, type RegistryHosts } from './hosts.js';
import { ImageIndex, type PulledImage } from './image-index.js';
import { LayoutSource } from './layout-source.js';
import { parseImageConfig, type Descriptor } from './manifest.js';
import { layerCompression } from './media-types.js';
import { pullLayer } from './pull-layer.js';
import { parseImageRef, type ImageRef } from './reference.js';
import { RegistryClient, type ImageSource } from './registry-client.js';
import type { RegistryCredentials } from './auth.js';
import { ResolveError, resolveImage } from './resolve-image.js';
import { StorePaths } from './store-paths.js';
import { defaultUnpackWorkers, layerUnpacker } from './unpack-workers.js';
import type { LayerUnpack, Logger, UnpackOptions } from './unpack-layer.js';

export type { PulledImage } from './image-index.js';
export type { ImageConfig } from './manifest.js';
export { ImagePullError } from './errors.js';

/** Options of an ImageStore. */
export interface ImageStoreOptions {
  /** The store's directory (created when missing). One ImageStore per root at a time. */
  root: string;
  /** Registry mirrors. Default: none (every registry directly over https). */
  hosts?: RegistryHosts;
  /** Logger for one debug line per operation. Default: silent. */
  log?: Logger;
  /**
   * The fetch used for every registry request (tests count requests through it). Default: global
   * fetch for manifests and tokens, node:http for blobs (registry-client.ts).
   */
  fetch?: typeof fetch;
  /**
   * Worker threads that unpack layers (unpack-workers.ts), shared by the process's stores; 0
   * unpacks on the calling thread. Default: defaultUnpackWorkers() (2 with two cores or more).
   */
  unpackWorkers?: number;
}

/**
 * The image store. Guarantees: a layer directory under `layers/` is complete (unpacked in `tmp/`
 * and renamed into place); every blob's sha256 and size were verified before use; concurrent pulls
 * of one image share one pull; two images sharing a layer download and unpack it once.
 */
export class ImageStore {
  private readonly paths: StorePaths;
  private readonly tokens: TokenCache;
  private readonly fetchFn: typeof fetch;
  private opened: Promise<ImageIndex> | undefined;
  private readonly pulls = new Map<string, Promise<PulledImage>>();
  private readonly layerJobs = new Map<string, Promise<string>>();
  private readonly unpack: (dir: string, opts: UnpackOptions) => LayerUnpack;

  constructor(private readonly opts: ImageStoreOptions) {
    this.paths = new StorePaths(opts.root);
    this.fetchFn = opts.fetch ?? fetch;
    this.tokens = new TokenCache(this.fetchFn);
    this.unpack = layerUnpacker(opts.unpackWorkers ?? defaultUnpackWorkers());
  }

  /**
   * Resolves the manifest now (endpoints in order), fetches and verifies what is missing and
   * unpacks each missing layer once. Throws ImagePullError with containerd-like wording. The
   * signal cancels this caller's wait (code Canceled); the shared pull goes on for the other
   * waiters and its result is kept, as a kubelet's image pull outlives one pod's pull attempt.
   * `credentials` (a pod's pull secrets for this registry) are tried in order, as the kubelet
   * tries each matching pull secret, until one pull succeeds; the last failure is thrown. Only
   * pulls with the same credentials share a pull.
   */
  async pull(image: string, opts: { signal?: AbortSignal; credentials?: readonly RegistryCredentials[] } = {}): Promise<{ image: PulledImage; durationMs: number }> {
    const started = performance.now();
    let ref: ImageRef;
    try {
      ref = parseImageRef(image);
    } catch (err) {
      throw new ImagePullError(image, 'InvalidArgument', (err as ImageRefError).message, { cause: err });
    }
    const attempts: (RegistryCredentials | undefined)[] = opts.credentials?.length ? [...opts.credentials] : [undefined];
    let last: unknown;
    for (const credentials of attempts) {
      const key = credentials ? `${ref.name}\n${credentials.username}\n${credentials.password}` : ref.name;
      let shared = this.pulls.get(key);
      if (!shared) {
        shared = this.pullShared(ref, credentials).finally(() => this.pulls.delete(key));
        this.pulls.set(key, shared);
      }
      try {
        const pulled = await abortable(shared, opts.signal, ref.name);
        return { image: pulled, durationMs: performance.now() - started };
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        last = err;
      }
    }
    throw last;
  }

  /** The image if in the store: by name, by `name@digest` (repo digest) or by image ID (`sha256:…`). */
  async get(image: string): Promise<PulledImage | undefined> {
    const index = await this.open();
    if (/^sha256:[a-f0-9]{64}$/.test(image)) return index.byId(image);
    let ref: ImageRef;
    try {
      ref = parseImageRef(image);
    } catch {
      return undefined;
    }
    return index.byCanonicalName(ref.name)
      ?? (ref.digest ? index.byRepoDigest(`${ref.registry}/${ref.repository}@${ref.digest}`) : undefined);
  }

  private open(): Promise<ImageIndex> {
    this.opened ??= (async () => {
      // A crash can leave partial downloads and layers in tmp/: nothing there is ever reused.
      await rm(this.paths.tmp, { recursive: true, force: true });
      await Promise.all([this.paths.tmp, this.paths.blobs, this.paths.layers].map((d) => mkdir(d, { recursive: true })));
      return ImageIndex.load(this.paths.images);
    })();
    return this.opened;
  }

  /**
   * One pull. Does: 1. resolve on the endpoints; 2. check layer media types; 3. fetch the config and
   * stream the missing layers into place, all at once (shared per layer); 4. keep the manifests;
   * 5. record the image.
   */
  private async pullShared(ref: ImageRef, credentials?: RegistryCredentials): Promise<PulledImage> {
    const index = await this.open();
    const log = this.opts.log;
    const t0 = performance.now();
    // A pull secret names the image's registry: its password never goes to a mirror on another host.
    const registryHost = ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry;
    const sources = endpointsFor(this.opts.hosts ?? { mirrors: {} }, ref.registry).map((url): ImageSource =>
      url.protocol === 'file:' ? new LayoutSource(fileURLToPath(url)) : new RegistryClient(url, { fetch: this.opts.fetch, tokens: this.tokens, ...(credentials && url.host === registryHost ? { credentials } : {}) }));
    try {
      const resolved = await resolveImage(sources, ref, undefined, (source, err) =>
        log?.debug({ image: ref.name, endpoint: source.location, err: String(err) }, 'endpoint failed; trying the next'));
      const { source, manifest } = resolved;
      log?.debug({ image: ref.name, endpoint: source.location, digest: resolved.top.digest, ms: elapsed(t0) }, 'resolved image');
      for (const layer of manifest.layers) {
        if (!layerCompression(layer.mediaType)) throw new Error(`failed to extract layer ${layer.digest}: unsupported layer media type ${layer.mediaType}`);
      }
      // The config and every layer are fetched at once; a layer asks for its diff_id only when
      // unpacked, and a failed config fails every layer still in flight before it is renamed.
      const parsed = this.fetchSmallBlob(source, ref.repository, manifest.config, 'config').then(parseImageConfig);
      parsed.catch(() => undefined); // awaited below, after the layers have settled
      // allSettled: a failed pull returns only once its other layer jobs have finished and cleaned up.
      const settled = await Promise.allSettled(manifest.layers.map((layer, i) =>
        this.ensureLayer(source, ref.repository, layer, async () => (await parsed).diffIds[i])));
      const { config } = await parsed;
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const layers = settled.map((r) => (r as PromiseFulfilledResult<string>).value);
      await Promise.all([resolved.top, resolved.image].map((m) => this.keepBlob(m.digest, m.body)));
      const pulled: PulledImage = {
        name: ref.name, id: manifest.config.digest, repoDigest: `${ref.registry}/${ref.repository}@${resolved.top.digest}`,
        config, layers, size: manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0),
      };
      await index.put(pulled);
      log?.info({ image: ref.name, id: pulled.id, size: pulled.size, ms: elapsed(t0) }, 'pulled image');
      return pulled;
    } catch (err) {
      throw toPullError(ref, err);
    }
  }

  /** A config (or other small blob) from the store, else fetched, verified and kept. */
  private async fetchSmallBlob(source: ImageSource, repository: string, desc: Descriptor, kind: 'config'): Promise<Buffer> {
    const path = this.paths.blob(desc.digest);
    if (!existsSync(path)) await fetchBlob(source, repository, desc, kind, this.paths.tmpPath('blob'), path);
    return readFile(path);
  }

  private async keepBlob(digest: string, body: Buffer): Promise<void> {
    const path = this.paths.blob(digest);
    if (existsSync(path)) return;
    const tmp = this.paths.tmpPath('blob');
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  /** The unpacked layer dir; downloads and unpacks it when missing, once for concurrent callers. */
  private ensureLayer(source: ImageSource, repository: string, desc: Descriptor, diffId: () => Promise<string | undefined>): Promise<string> {
    const dir = this.paths.layer(desc.digest);
    if (existsSync(dir)) return Promise.resolve(dir);
    let job = this.layerJobs.get(desc.digest);
    if (!job) {
      job = this.unpackInto(source, repository, desc, diffId, dir).finally(() => this.layerJobs.delete(desc.digest));
      this.layerJobs.set(desc.digest, job);
    }
    return job;
  }

  /** Streams the layer into a temp dir (pull-layer.ts) and renames it into place once verified. */
  private async unpackInto(source: ImageSource, repository: string, desc: Descriptor, diffId: () => Promise<string | undefined>, dir: string): Promise<string> {
    const t0 = performance.now();
    const tmpDir = this.paths.tmpPath(`layer-${digestHex(desc.digest).slice(0, 12)}`);
    try {
      await mkdir(tmpDir, { mode: 0o755 });
      const compression = layerCompression(desc.mediaType) ?? 'none';
      await pullLayer(source, repository, desc, tmpDir, { compression, diffId, log: this.opts.log, unpack: this.unpack });
      await rename(tmpDir, dir);
      this.opts.log?.debug({ layer: desc.digest, size: desc.size, ms: elapsed(t0) }, 'unpacked layer');
      return dir;
    } catch (err) {
      await rm(tmpDir, { recursive: true, force: true });
      if (err instanceof UnsafeLayerEntryError) throw new Error(`failed to extract layer ${desc.digest}: ${err.message}`, { cause: err });
      throw err;
    }
  }
}

/** Maps a lower error to the ImagePullError a kubelet would show. */
function toPullError(ref: ImageRef, err: unknown): ImagePullError {
  if (err instanceof ImagePullError) return err;
  if (err instanceof ResolveError) {
    const last = err.last;
    if (last instanceof NotFoundError) {
      return new ImagePullError(ref.name, 'NotFound', `failed to resolve reference "${ref.name}": ${ref.name}: not found`, { cause: last });
    }
    return new ImagePullError(ref.name, 'Unknown', `failed to resolve reference "${ref.name}": ${err.message}`, { cause: last });
  }
  if (err instanceof DigestMismatchError) return new ImagePullError(ref.name, 'Unknown', `failed to copy: ${err.message}`, { cause: err });
  return new ImagePullError(ref.name, 'Unknown', (err as Error).message ?? String(err), { cause: err });
}

/** Waits for `p` unless `signal` aborts first (then rejects with an ImagePullError code Canceled). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, name: string): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new ImagePullError(name, 'Canceled', 'context canceled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function elapsed(t0: number): number {
  return Math.round(performance.now() - t0);
}
