// @kjobs/oci: image references, registry mirrors, a registry client (pull and push) and a per-node
// content-addressed image store with safe layer unpacking. The one public entry of the package.
export { parseImageRef, defaultPullPolicy } from './reference.js';
export type { ImageRef } from './reference.js';
export { parseRegistryHosts, loadRegistryHosts, endpointsFor, isLoopback } from './hosts.js';
export type { RegistryHosts } from './hosts.js';
export { RegistryClient, pushImage } from './registry-client.js';
export type { ImageSource, ManifestResult, PushableImage, RegistryClientOptions } from './registry-client.js';
export { LayoutSource } from './layout-source.js';
export { TokenCache, parseBearerChallenge, basicAuthorization, isBasicChallenge } from './auth.js';
export type { BearerChallenge, RegistryCredentials } from './auth.js';
export { ImageStore } from './image-store.js';
export { defaultUnpackWorkers } from './unpack-workers.js';
export type { ImageStoreOptions, PulledImage, ImageConfig } from './image-store.js';
export type { Logger } from './unpack-layer.js';
export {
  DigestMismatchError, ImagePullError, ImageRefError, NotFoundError, RegistryError, RegistryHostsError, UnsafeLayerEntryError,
} from './errors.js';
export type { PullErrorCode } from './errors.js';
// The image builder (kjobs' own images as an OCI image layout): packages/oci/src/build.
export * from './build/index.js';
