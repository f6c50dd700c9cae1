/**
 * @kjobs/oci's image builder: deterministic OCI images of kjobs' own programs (kuard, busybox),
 * written as an OCI image layout and cached by the hash of their inputs.
 */
export { writeTar, type TarEntry } from './tar.js';
export { buildImage, sha256Digest, ociArchitecture, MEDIA_TYPES, DEFAULT_PATH_ENV, type ImageSpec, type ImageRuntimeConfig, type BuiltImage, type Blob } from './image.js';
export { writeImageLayout, readImageLayout, splitImageName, REF_NAME_ANNOTATION, FULL_NAME_ANNOTATION, type LayoutImage } from './layout.js';
export { baseEntries, nodeRuntimeEntries, busyboxEntries, busyboxApplets, busyboxVersion, sharedLibraries, withParentDirs, NOBODY_ID } from './rootfs.js';
export { kuardImageSpec, busyboxImageSpec, withNodeShebang, KUARD_IMAGE, KUARD_TAGS, BUSYBOX_IMAGE } from './kjobs-images.js';
export { ensureKjobsImages, defaultCacheDir, type KjobsImagesOptions, type KjobsImageLayout } from './cache.js';
