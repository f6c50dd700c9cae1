// @kjobs/oci: image references, registry mirrors, a registry client (pull and push) and a per-node
// content-addressed image store with safe layer unpacking. The one public entry of the package.
export { RegistryClient, pushImage } from './registry-client.js';
export type { ImageSource, ManifestResult, PushableImage, RegistryClientOptions } from './registry-client.js';
export { TokenCache, parseBearerChallenge } from './auth.js';
export type { BearerChallenge } from './auth.js';
export {
  DigestMismatchError, ImagePullError, ImageRefError, NotFoundError, RegistryError, RegistryHostsError, UnsafeLayerEntryError,
} from './errors.js';
export type { PullErrorCode } from './errors.js';
// The image builder (kjobs' own images as an OCI image layout): packages/oci/src/build.
export * from './build/index.js';
