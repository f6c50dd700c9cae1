import { matchesFields, matchesLabels, type KObject, type ResourceInfo } from '@kjobs/api';
import { decodeObject } from './object-codec.js';
import type { StoredJson, StoreListOptions } from './store.js';

/**
 * Whether an object satisfies every requirement of a list: namespace (namespaced kinds),
 * ownerUid, label selector (all operators) and field selector. Both stores apply it to every
 * candidate, so index lookups only ever narrow the candidates, never decide the result.
 */
export function matchesListOptions(res: ResourceInfo, opts: StoreListOptions, obj: KObject): boolean {
  if (res.namespaced && opts.namespace && obj.metadata.namespace !== opts.namespace) return false;
  if (opts.ownerUid && !(obj.metadata.ownerReferences ?? []).some((r) => r?.uid === opts.ownerUid)) return false;
  return matchesLabels(opts.labelSelector ?? [], obj.metadata.labels) && matchesFields(opts.fieldSelector ?? [], obj);
}

/** The page size of a list: a positive integer, or 0 for "everything". */
export function pageLimit(opts: StoreListOptions): number {
  const l = opts.limit ?? 0;
  return Number.isFinite(l) && l > 0 ? Math.floor(l) : 0;
}

/** A listed object that passed: as stored, and decoded when deciding needed it. */
export interface Kept {
  rv: string;
  body: string;
  obj?: KObject;
}

/**
 * Whether a candidate of a list passes every requirement. Without a label or field selector or
 * an owner only the namespace counts, and it is read from the member ("<ns>/<name>"), so the
 * object is not decoded; otherwise it is decoded once and checked by matchesListOptions.
 */
export function keepListed(res: ResourceInfo, opts: StoreListOptions, member: string, body: string, rv: string): Kept | undefined {
  if (!opts.labelSelector?.length && !opts.fieldSelector?.length && !opts.ownerUid) {
    return !res.namespaced || !opts.namespace || member.startsWith(`${opts.namespace}/`) ? { rv, body } : undefined;
  }
  const obj = decodeObject(body, rv);
  return matchesListOptions(res, opts, obj) ? { rv, body, obj } : undefined;
}

/** The decoded objects of a page of kept ones (decoding those that were not yet). */
export function keptObjects(kept: Kept[]): KObject[] {
  return kept.map((k) => k.obj ?? decodeObject(k.body, k.rv));
}

/** A page of kept ones as stored. */
export function keptJson(kept: Kept[]): StoredJson[] {
  return kept.map(({ rv, body }) => ({ rv, body }));
}
