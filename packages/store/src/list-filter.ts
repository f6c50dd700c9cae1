import { matchesFields, matchesLabels, type KObject, type ResourceInfo } from '@kjobs/api';
import type { StoreListOptions } from './store.js';

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
