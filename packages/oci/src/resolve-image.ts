// Resolves a reference to one image manifest, trying each endpoint in order.
import { NotFoundError } from './errors.js';
import { parseManifest, pickPlatform, type ImageManifest } from './manifest.js';
import type { ImageRef } from './reference.js';
import type { ImageSource, ManifestResult } from './registry-client.js';

/** A resolved image: the endpoint that had it, the manifest documents and the chosen manifest. */
export interface ResolvedImage {
  source: ImageSource;
  /** What the reference pointed at (an index or a manifest); its digest is the repo digest. */
  top: ManifestResult;
  /** The linux/amd64 image manifest (the same document as `top` when there was no index). */
  image: ManifestResult;
  manifest: ImageManifest;
}

/** The reference resolved on no endpoint; `last` is the error of the last endpoint tried. */
export class ResolveError extends Error {
  constructor(readonly last: unknown) {
    super(last instanceof Error ? last.message : String(last));
  }
}

/**
 * Tries the endpoints in order; an endpoint that lacks the image (or fails) falls through to the
 * next, and the last endpoint's error is what a failure reports. An index is resolved to its
 * linux/amd64 manifest from the same endpoint (fetched by digest, so verified).
 */
export async function resolveImage(sources: ImageSource[], ref: ImageRef, signal?: AbortSignal,
  onFallthrough?: (source: ImageSource, err: unknown) => void): Promise<ResolvedImage> {
  let last: unknown = new NotFoundError('no endpoints');
  for (const source of sources) {
    signal?.throwIfAborted();
    try {
      return await resolveOn(source, ref, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      onFallthrough?.(source, err);
      last = err;
    }
  }
  throw new ResolveError(last);
}

async function resolveOn(source: ImageSource, ref: ImageRef, signal?: AbortSignal): Promise<ResolvedImage> {
  const top = await source.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest', signal);
  const parsed = parseManifest(top.body, top.mediaType);
  if (parsed.kind === 'manifest') return { source, top, image: top, manifest: parsed.manifest };
  const chosen = pickPlatform(parsed.manifests);
  if (!chosen) throw new NotFoundError(`no match for platform linux/amd64 in manifest ${top.digest}`);
  const image = await source.getManifest(ref.repository, chosen.digest, signal);
  const inner = parseManifest(image.body, image.mediaType);
  if (inner.kind !== 'manifest') throw new Error(`manifest ${chosen.digest} for linux/amd64 is itself an index`);
  return { source, top, image, manifest: inner.manifest };
}
