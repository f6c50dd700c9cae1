/**
 * OCI image layout directories (image-spec `image-layout.md`): `oci-layout`, `index.json` and
 * `blobs/sha256/<hex>`. Every tag is one index entry whose `org.opencontainers.image.ref.name` is
 * `<repository>:<tag>` as a registry for that host would call it (`kuar-demo/kuard-amd64:blue`,
 * `library/busybox:latest`); `io.containerd.image.name` carries the full name.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MEDIA_TYPES, type Blob, type BuiltImage } from './image.js';

/** The annotation that names an index entry inside an image layout. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** The annotation with the image's full name (`gcr.io/kuar-demo/kuard-amd64:blue`), as containerd writes it. */
export const FULL_NAME_ANNOTATION = 'io.containerd.image.name';

/** A fully qualified image name split into registry host and repository. */
export function splitImageName(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { registry: first, repository: name.slice(slash + 1) };
  }
  return { registry: 'docker.io', repository: slash === -1 ? `library/${name}` : name };
}

function blobPath(dir: string, digest: string): string {
  const [alg, hex] = digest.split(':');
  return path.join(dir, 'blobs', alg!, hex!);
}

/**
 * Write `images` as an image layout into `dir` (which should be empty or new): each blob once,
 * one index entry per tag.
 */
export function writeImageLayout(dir: string, images: BuiltImage[]): void {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const write = (b: Blob) => {
    const p = blobPath(dir, b.digest);
    if (!existsSync(p)) writeFileSync(p, b.data);
  };
  const manifests: unknown[] = [];
  for (const img of images) {
    for (const b of [...img.layers, img.config, img.manifest]) write(b);
    const { repository } = splitImageName(img.name);
    for (const tag of img.tags) {
      manifests.push({
        mediaType: MEDIA_TYPES.manifest,
        digest: img.manifest.digest,
        size: img.manifest.data.length,
        platform: { architecture: img.architecture, os: 'linux' },
        annotations: { [FULL_NAME_ANNOTATION]: `${img.name}:${tag}`, [REF_NAME_ANNOTATION]: `${repository}:${tag}` },
      });
    }
  }
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests }, null, 2));
}

/** One tagged image of a layout, with what a push needs. */
export interface LayoutImage {
  /** Registry host from the full-name annotation (`docker.io` when there is none). */
  registry: string;
  /** Repository as the registry calls it, e.g. `kuar-demo/kuard-amd64`. */
  repository: string;
  tag: string;
  manifestDigest: string;
  /** Reads the config and layer blobs (a layer shared by several tags is read once). */
  load(): { config: Buffer; layers: { data: Buffer; mediaType: string; digest: string }[] };
}

interface IndexEntry {
  digest: string;
  annotations?: Record<string, string>;
}

/** The tagged images of the layout in `dir`, in index order. */
export function readImageLayout(dir: string): LayoutImage[] {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: IndexEntry[] };
  const blobs = new Map<string, Buffer>();
  const read = (digest: string): Buffer => {
    let b = blobs.get(digest);
    if (!b) blobs.set(digest, (b = readFileSync(blobPath(dir, digest))));
    return b;
  };
  return index.manifests.flatMap((m): LayoutImage[] => {
    const ref = m.annotations?.[REF_NAME_ANNOTATION];
    if (!ref) return [];
    const colon = ref.lastIndexOf(':');
    const full = m.annotations?.[FULL_NAME_ANNOTATION];
    const registry = full ? splitImageName(full.slice(0, full.lastIndexOf(':'))).registry : 'docker.io';
    return [{
      registry, repository: ref.slice(0, colon), tag: ref.slice(colon + 1), manifestDigest: m.digest,
      load() {
        const manifest = JSON.parse(read(m.digest).toString()) as { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
        return { config: read(manifest.config.digest), layers: manifest.layers.map((l) => ({ data: read(l.digest), mediaType: l.mediaType, digest: l.digest })) };
      },
    }];
  });
}
