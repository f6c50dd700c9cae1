import { randomBytes, randomUUID } from 'node:crypto';
import { cloneJson, type KObject } from '@kjobs/api';

export { rfc3339 } from '@kjobs/api';

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters from Kubernetes' alphabet (no vowels, no look-alikes). */
export function generatedName(prefix: string): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  // Kubernetes truncates the prefix so the result fits 63 characters.
  return prefix.slice(0, 58) + s;
}

/** A fresh uid. */
export function newUid(): string {
  return randomUUID();
}

/** Deep copy of a JSON value (@kjobs/api's cloneJson: ~6x faster than structuredClone on a Pod). */
export function clone<T>(o: T): T {
  return cloneJson(o);
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => jsonEqual(ao[k], bo[k]));
}

/** The object without metadata.resourceVersion / managedFields (for no-op detection). */
export function withoutVolatile(o: KObject): KObject {
  const c = { ...o, metadata: { ...o.metadata } };
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  return c;
}
