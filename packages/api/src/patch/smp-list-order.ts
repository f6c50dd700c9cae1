import { ApiError, badRequest } from '../errors.js';
import { hasKey, isJsonObject, type Json, type JsonObject } from './json-value.js';

/** Whether a merged list holds objects (merged by key) or scalars. */
export type ElementKind = 'map' | 'scalar';

/** 400 BadRequest for a malformed strategic merge patch, worded like apimachinery's mergepatch errors. */
export function smpBadRequest(message: string): ApiError {
  return badRequest(`strategic merge patch: ${message}`);
}

/** The error apimachinery calls ErrNoMergeKey. */
export function noMergeKey(item: Json, mergeKey: string): ApiError {
  return smpBadRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
}

/** The kind shared by every element of the lists; 400/422 when they are mixed or lists of lists. */
export function elementKind(...lists: Json[][]): ElementKind | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = Array.isArray(v) ? 'list' : isJsonObject(v) ? 'map' : v === null ? 'null' : typeof v;
      if (k === 'list') throw new ApiError(422, 'Invalid', 'lists of lists are not supported');
      if (kind !== undefined && kind !== k) throw smpBadRequest(`list element types are not identical: ${JSON.stringify(lists)}`);
      kind = k;
    }
  }
  return kind === undefined ? undefined : kind === 'map' ? 'map' : 'scalar';
}

function keyOf(item: Json, mergeKey: string, kind: ElementKind): Json | undefined {
  return kind === 'map' ? (isJsonObject(item) ? item[mergeKey] : undefined) : item;
}

/** Index of `item` in `list`, comparing merge-key values for objects and values for scalars; -1 if absent. */
export function indexIn(list: readonly Json[], item: Json, mergeKey: string, kind: ElementKind): number {
  const want = keyOf(item, mergeKey, kind);
  return list.findIndex((v) => keyOf(v, mergeKey, kind) === want);
}

/** Find the object in `list` whose `mergeKey` equals `value`. */
export function findByKey(list: readonly Json[], mergeKey: string, value: Json): { item: JsonObject; index: number } | undefined {
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    if (!isJsonObject(item)) throw smpBadRequest(`value for key ${index} is not a map`);
    if (hasKey(item, mergeKey) && item[mergeKey] === value) return { item, index };
  }
  return undefined;
}

/** Split `merged` into the items also present in `by` and the items only the server had. */
export function partitionByPresence(merged: Json[], by: Json[], mergeKey: string, kind: ElementKind): { inPatch: Json[]; serverOnly: Json[] } {
  const inPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const v of merged) {
    let present: boolean;
    if (kind === 'map') {
      if (!isJsonObject(v) || !hasKey(v, mergeKey)) throw noMergeKey(v, mergeKey);
      present = findByKey(by, mergeKey, v[mergeKey]!) !== undefined;
    } else {
      present = by.includes(v);
    }
    (present ? inPatch : serverOnly).push(v);
  }
  return { inPatch, serverOnly };
}

function isDeleteDirective(v: Json): boolean {
  return isJsonObject(v) && v.$patch === 'delete';
}

/** Stable-sort `toSort` by the positions of its items in `order`; "$patch: delete" items go last. */
function sortByOrder(toSort: Json[], order: Json[], mergeKey: string, kind: ElementKind): Json[] {
  let items = toSort;
  let deletes: Json[] = [];
  if (kind === 'map') {
    for (const v of [...toSort, ...order]) {
      if (!isJsonObject(v) || !hasKey(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
    items = toSort.filter((v) => !isDeleteDirective(v));
    deletes = toSort.filter(isDeleteDirective);
  }
  const rank = (v: Json): number => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...items.map((v, i) => ({ v, i, r: rank(v) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.v), ...deletes];
}

/**
 * Interleave server-only items into the patch items, keeping each list's own order and using the
 * live list's order to place server-only items (apimachinery mergeSortedSlice).
 */
function mergeSorted(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: ElementKind): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexIn(serverOrder, left[i]!, mergeKey, kind);
      const ri = indexIn(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

/**
 * The final order of a merged list (apimachinery normalizeElementOrder): items named by the patch in
 * the patch's order (or its `$setElementOrder`), server-only items in the live order, merged so both
 * relative orders hold.
 */
export function normalizeElementOrder(
  patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: ElementKind,
): Json[] {
  const p = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}
