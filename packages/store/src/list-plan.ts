import type { ResourceInfo } from '@kjobs/api';
import { isKeySafeName, type StoreKeys } from './keys.js';
import type { StoreListOptions } from './store.js';

/** How the list script finds candidates for a list request. */
export interface ListPlan {
  /** True when no stored object can match (a namespace or name selector that is not key-safe). */
  empty: boolean;
  /**
   * Equality indexes every match is a member of (at least one). The script walks the smallest and
   * checks the others with ZSCORE; everything else is filtered after the objects are read.
   */
  indexes: string[];
  /** When namespace and name are both fixed: the one member that can match (no index walk). */
  member?: string;
}

/**
 * Turn list options into index lookups: namespace (option or `metadata.namespace=`), label
 * `k=v` / `k in (v)`, field `path=v` for the kind's `fieldIndexes`, and `ownerUid`. Set-based and
 * negative requirements use no index; the caller filters them with matchesLabels/matchesFields.
 */
export function planList(keys: StoreKeys, res: ResourceInfo, opts: StoreListOptions = {}): ListPlan {
  const indexes = new Set<string>();
  const namespaces = new Set<string>();
  let empty = false;
  if (res.namespaced && opts.namespace) namespaces.add(opts.namespace);
  let name: string | undefined;
  for (const f of opts.fieldSelector ?? []) {
    if (f.operator !== '=') continue;
    if (f.field === 'metadata.namespace') {
      if (res.namespaced) namespaces.add(f.value);
      else if (f.value !== '') empty = true;
    } else if (f.field === 'metadata.name') {
      if (!isKeySafeName(f.value)) empty = true;
      name = f.value;
    } else if (res.fieldIndexes.includes(f.field)) {
      indexes.add(keys.indexField(res, f.field, f.value));
    }
  }
  for (const ns of namespaces) {
    if (isKeySafeName(ns)) indexes.add(keys.indexNamespace(res, ns));
    else empty = true;
  }
  for (const l of opts.labelSelector ?? []) {
    if ((l.operator === '=' || l.operator === 'in') && l.values.length === 1) indexes.add(keys.indexLabel(res, l.key, l.values[0]!));
  }
  if (opts.ownerUid) indexes.add(keys.indexOwner(res, opts.ownerUid));
  if (indexes.size === 0) indexes.add(keys.indexAll(res));
  const plan: ListPlan = { empty, indexes: [...indexes] };
  if (!empty && name !== undefined) {
    if (!res.namespaced) plan.member = keys.member(res, '', name);
    else if (namespaces.size === 1) plan.member = keys.member(res, [...namespaces][0]!, name);
  }
  return plan;
}
