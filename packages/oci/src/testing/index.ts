/** Test support of @kjobs/oci, for other workspaces' tests: a real local registry and image builders. */
export { freePort, startRegistry, type TestRegistry } from './registry.js';
export { makeConfig, makeLayer, makeTar, type TarEntry } from './images.js';
