/**
 * Turns an image description (layers as file trees, a config) into the blobs of an OCI image:
 * uncompressed tar layers, the config JSON with its diff_ids, and the manifest. Deterministic:
 * the same description gives the same bytes and digests on every build.
 */
import { createHash } from 'node:crypto';
import { writeTar, type TarEntry } from './tar.js';

/** Media types the builder writes. */
export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** The runtime part of an image config (the `config` object of the OCI image config). */
export interface ImageRuntimeConfig {
  /** `User`, e.g. `nobody:nobody` (default: unset = root). */
  user?: string;
  /** `Cmd` (default: unset). */
  cmd?: string[];
  /** `Entrypoint` (default: unset). */
  entrypoint?: string[];
  /** `Env` (default: a standard PATH only). */
  env?: string[];
  /** Ports like `8080/tcp` for `ExposedPorts` (default: none). */
  exposedPorts?: string[];
  /** `WorkingDir` (default: unset). */
  workingDir?: string;
}

/** What to build: a fully qualified name without tag, its tags, its layers, its config. */
export interface ImageSpec {
  /** e.g. `gcr.io/kuar-demo/kuard-amd64` or `docker.io/library/busybox`. */
  name: string;
  tags: string[];
  /** One file tree per layer, bottom first. */
  layers: TarEntry[][];
  config: ImageRuntimeConfig;
  /** OCI architecture (default: this machine's, e.g. `amd64`). */
  architecture?: string;
}

/** A blob with its digest (`sha256:<hex>`) and media type. */
export interface Blob {
  mediaType: string;
  digest: string;
  data: Buffer;
}

/** An image as blobs, ready to be written into a layout or pushed. */
export interface BuiltImage {
  name: string;
  tags: string[];
  architecture: string;
  config: Blob;
  layers: Blob[];
  manifest: Blob;
}

/** The standard PATH of container images. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `sha256:<hex>` of `data`. */
export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The OCI name of the architecture node runs on (`x64` → `amd64`). */
export function ociArchitecture(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

function blob(mediaType: string, data: Buffer): Blob {
  return { mediaType, digest: sha256Digest(data), data };
}

/**
 * Build the blobs of `spec`. Does: 1. each layer → tar (its digest is also its diff_id: layers are
 * not compressed); 2. the config JSON, created at the epoch so it never changes; 3. the manifest.
 */
export function buildImage(spec: ImageSpec): BuiltImage {
  const layers = spec.layers.map((entries) => blob(MEDIA_TYPES.layer, writeTar(entries)));
  const architecture = spec.architecture ?? ociArchitecture();
  const c = spec.config;
  const runtime: Record<string, unknown> = {
    ...(c.user ? { User: c.user } : {}),
    ...(c.exposedPorts?.length ? { ExposedPorts: Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) } : {}),
    Env: c.env ?? [DEFAULT_PATH_ENV],
    ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
    ...(c.cmd ? { Cmd: c.cmd } : {}),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
  };
  const epoch = '1970-01-01T00:00:00Z';
  const config = blob(MEDIA_TYPES.config, Buffer.from(JSON.stringify({
    created: epoch,
    architecture,
    os: 'linux',
    config: runtime,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    history: layers.map(() => ({ created: epoch, created_by: 'kjobs image builder (@kjobs/oci build)' })),
  })));
  const manifest = blob(MEDIA_TYPES.manifest, Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.data.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.data.length })),
  })));
  return { name: spec.name, tags: spec.tags, architecture, config, layers, manifest };
}
