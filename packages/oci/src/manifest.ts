// Pure parsing of image indexes, manifests and configs: only what the store uses, validated so
// that every digest can safely become a path.
import { isSha256Digest } from './digest.js';
import { isIndexType } from './media-types.js';

/** A content descriptor of the OCI image spec. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

/** An image manifest reduced to its config and layers (bottom first). */
export interface ImageManifest { config: Descriptor; layers: Descriptor[] }

/** The container configuration of an image (the `config` object of the image config JSON). */
export interface ImageConfig {
  User?: string; Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string;
  ExposedPorts?: Record<string, object>; Labels?: Record<string, string>;
}

/** What a parsed manifest document is: an index to pick from, or an image manifest. */
export type ParsedManifest = { kind: 'index'; manifests: Descriptor[] } | { kind: 'manifest'; manifest: ImageManifest };

/** Parses a manifest body; throws Error naming what is wrong (invalid JSON, bad descriptor). */
export function parseManifest(body: Buffer, mediaType: string): ParsedManifest {
  const doc = parseJson(body, 'manifest') as { mediaType?: string; manifests?: unknown; config?: unknown; layers?: unknown };
  const type = doc.mediaType ?? mediaType;
  if (isIndexType(type) || (Array.isArray(doc.manifests) && doc.config === undefined)) {
    if (!Array.isArray(doc.manifests)) throw new Error('invalid image index: no manifests');
    return { kind: 'index', manifests: doc.manifests.map((d) => checkDescriptor(d, 'index manifest')) };
  }
  if (!Array.isArray(doc.layers)) throw new Error(`invalid image manifest (media type ${type || 'unknown'}): no layers`);
  return { kind: 'manifest', manifest: { config: checkDescriptor(doc.config, 'config'), layers: doc.layers.map((d) => checkDescriptor(d, 'layer')) } };
}

/** The first linux/amd64 entry of an index (the variant is ignored), or undefined. */
export function pickPlatform(manifests: Descriptor[], os = 'linux', architecture = 'amd64'): Descriptor | undefined {
  return manifests.find((m) => m.platform?.os === os && m.platform?.architecture === architecture);
}

/** The container config and the layers' diff_ids of an image config JSON. */
export function parseImageConfig(body: Buffer): { config: ImageConfig; diffIds: string[] } {
  const doc = parseJson(body, 'image config') as { config?: ImageConfig | null; rootfs?: { diff_ids?: unknown } };
  const diffIds = Array.isArray(doc.rootfs?.diff_ids) ? doc.rootfs.diff_ids.filter((d): d is string => typeof d === 'string') : [];
  return { config: doc.config ?? {}, diffIds };
}

function checkDescriptor(d: unknown, what: string): Descriptor {
  const desc = d as Partial<Descriptor> | null;
  if (!desc || typeof desc !== 'object') throw new Error(`invalid ${what} descriptor`);
  if (typeof desc.digest !== 'string' || !isSha256Digest(desc.digest)) throw new Error(`invalid ${what} descriptor: unsupported or invalid digest ${JSON.stringify(desc.digest)}`);
  if (typeof desc.size !== 'number' || !Number.isSafeInteger(desc.size) || desc.size < 0) throw new Error(`invalid ${what} descriptor ${desc.digest}: bad size`);
  return { ...desc, mediaType: typeof desc.mediaType === 'string' ? desc.mediaType : '', digest: desc.digest, size: desc.size };
}

function parseJson(body: Buffer, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error(`invalid ${what}: not JSON`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`invalid ${what}: not an object`);
  return doc as Record<string, unknown>;
}
