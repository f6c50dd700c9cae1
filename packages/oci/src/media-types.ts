// The manifest, config and layer media types of the OCI image spec and Docker's schema 2.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Sent on every manifest GET: both families, since a registry answers 404 to Docker-only for an OCI manifest. */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** True for an image index or Docker manifest list. */
export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

/** How a layer blob is compressed, or undefined when this package cannot unpack it (zstd, foreign). */
export function layerCompression(mediaType: string): 'gzip' | 'none' | undefined {
  if (mediaType === OCI_LAYER_TAR || mediaType === 'application/vnd.docker.image.rootfs.diff.tar') return 'none';
  if (mediaType.endsWith('.tar+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  return undefined;
}
