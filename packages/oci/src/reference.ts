// Image references with Docker's normalisation (distribution/reference ParseNormalizedNamed +
// TagNameOnly, as containerd's CRI applies them), and Kubernetes' default imagePullPolicy.
import { ImageRefError } from './errors.js';

/** A parsed, normalised image reference. */
export interface ImageRef {
  /** Registry host[:port], `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, `library/…` for Docker Hub official images. */
  repository: string;
  /** The tag: as given, `latest` when neither tag nor digest was given, absent for a digest-only reference. */
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins a digest. */
  digest?: string;
  /** Canonical, e.g. docker.io/library/busybox:latest, gcr.io/kuar-demo/kuard-amd64:blue, x/y@sha256:… */
  name: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HEX64 = /^[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Parses an image reference the way Docker and containerd do: a missing registry is `docker.io`,
 * a single-component Docker Hub name gets `library/`, a missing tag is `latest` unless a digest is
 * given, `index.docker.io` is `docker.io`. Throws ImageRefError with containerd's wording
 * (`failed to parse image reference "…": invalid reference format…`) on anything else.
 */
export function parseImageRef(image: string): ImageRef {
  const fail = (why = ''): never => {
    throw new ImageRefError(`failed to parse image reference "${image}": invalid reference format${why}`);
  };
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(': unsupported or invalid digest');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail();
  }
  if (!rest || rest.length > MAX_NAME_LENGTH) fail(rest ? ': repository name must not be more than 255 characters' : '');
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const isDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let registry = isDomain ? first : 'docker.io';
  let repository = isDomain ? rest.slice(slash + 1) : rest;
  if (isDomain && !DOMAIN.test(registry)) fail();
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (repository !== repository.toLowerCase()) fail(': repository name must be lowercase');
  if (!repository.split('/').every((c) => PATH_COMPONENT.test(c))) fail();
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!isDomain && HEX64.test(rest)) fail(`: invalid repository name (${rest}), cannot specify 64-byte hexadecimal strings`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  const name = `${registry}/${repository}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), name };
}

/**
 * Kubernetes' default imagePullPolicy for a container image: `Always` when the tag is `latest`, or
 * when there is neither tag nor digest; otherwise (and for an unparsable image, as Kubernetes
 * does) `IfNotPresent`.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  try {
    return parseImageRef(image).tag === 'latest' ? 'Always' : 'IfNotPresent';
  } catch {
    return 'IfNotPresent';
  }
}
