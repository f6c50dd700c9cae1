import { createHash } from 'node:crypto';

const DIGEST = /^sha256:([a-f0-9]{64})$/;

/** The OCI digest (`sha256:<hex>`) of `data`. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** True when `s` is a sha256 digest this package can verify (other algorithms are not supported). */
export function isSha256Digest(s: string): boolean {
  return DIGEST.test(s);
}

/** The hex part of a sha256 digest; throws on anything else, so it is safe to use in paths. */
export function digestHex(digest: string): string {
  const m = DIGEST.exec(digest);
  if (!m?.[1]) throw new Error(`unsupported or invalid digest ${JSON.stringify(digest)}`);
  return m[1];
}
