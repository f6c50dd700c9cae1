// One small error class per failure (STYLE.md: errors are typed). The store maps the lower ones
// into ImagePullError once, with containerd-like wording, so kubelet events read familiarly.

/** An image reference that Docker's grammar does not accept; the message reads like containerd's. */
export class ImageRefError extends Error {
  override name = 'ImageRefError';
}

/** A registries.yaml that is malformed or names an endpoint kjobs refuses (e.g. http to a remote host). */
export class RegistryHostsError extends Error {
  override name = 'RegistryHostsError';
}

/** The endpoint answered that the manifest or blob does not exist (404, MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** An unexpected HTTP answer from a registry: carries the status and the registry's first error code. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
  }
}

/** Content whose sha256 is not the digest it was asked for; nothing of it is kept. */
export class DigestMismatchError extends Error {
  override name = 'DigestMismatchError';
  constructor(readonly ref: string, readonly actual: string, readonly expected: string) {
    super(`failed commit on ref "${ref}": unexpected commit digest ${actual}, expected ${expected}: failed precondition`);
  }
}

/** A layer tar entry that unpacking refuses (escapes the layer, writes through a symlink, …). */
export class UnsafeLayerEntryError extends Error {
  override name = 'UnsafeLayerEntryError';
  constructor(readonly entry: string, readonly reason: string) {
    super(`refused layer entry ${JSON.stringify(entry)}: ${reason}`);
  }
}

/** gRPC-like status codes used in ImagePullError messages, as the CRI reports them. */
export type PullErrorCode = 'NotFound' | 'Unknown' | 'Canceled' | 'FailedPrecondition' | 'InvalidArgument';

/**
 * Why `ImageStore.pull` failed. The message reads like containerd's through the CRI, e.g.
 * `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nope:latest": …`;
 * `code` is the status code alone, `cause` the lower error.
 */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
  constructor(readonly image: string, readonly code: PullErrorCode, readonly reason: string, options?: { cause?: unknown }) {
    super(`rpc error: code = ${code} desc = failed to pull and unpack image "${image}": ${reason}`, options);
  }
}
