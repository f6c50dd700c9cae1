import { badRequest, unsupportedMediaType } from '../errors.js';
import { cloneJson, hasKey, isJsonObject, setKey, type Json, type JsonObject } from './json-value.js';
import { lookupPatchMeta, rootSchemaType, type PatchMeta, type SchemaType } from './patch-meta.js';
import {
  elementKind, findByKey, noMergeKey, normalizeElementOrder, partitionByPresence, smpBadRequest,
} from './smp-list-order.js';

/** The media type of a strategic merge patch (every `kubectl apply` after the first). */
export const STRATEGIC_MERGE_PATCH_MEDIA_TYPE = 'application/strategic-merge-patch+json';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/**
 * Apply a Kubernetes strategic merge patch to an object of a built-in kind, as kube-apiserver does
 * (apimachinery strategicpatch, `StrategicMergeMapPatch`), with the patch strategies and merge keys
 * of the Go API types of Kubernetes 1.32:
 *  - maps merge key by key and `null` deletes a key;
 *  - lists with `patchStrategy: merge` merge item by item on their merge key (containers, env,
 *    volumes... by name; container ports by containerPort; service ports by port; volumeMounts by
 *    mountPath; conditions by type; ownerReferences by uid); primitive merge lists (finalizers) are
 *    unions; every other list (command, args, tolerations...) is replaced whole;
 *  - directives: `$patch: replace | delete | merge` on a map or a list item, `$retainKeys`,
 *    `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 * Fields the schema does not know merge like JSON merge patch (maps merge, lists are replaced).
 * `$patch: merge` is accepted as an explicit no-op (apimachinery rejects it).
 *
 * Returns a new object; never mutates `target` or `patch`. Errors: 415 for a kind without Go types
 * (as for custom resources), 400 for a malformed patch, 422 for lists of lists.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  const root = rootSchemaType(kind);
  if (!root) throw unsupportedMediaType(`strategic merge patch format is not supported for kind ${JSON.stringify(kind)}`);
  if (!isJsonObject(patch)) throw badRequest('strategic merge patch: the patch must be a JSON object');
  const original = isJsonObject(target) ? cloneJson(target) : {};
  return mergeMap(original, cloneJson(patch), root);
}

/** A patch value taken as-is (no original to merge into), minus every directive and null member. */
function materialize(v: Json): { keep: boolean; value: Json } {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const m = materialize(item);
      if (m.keep) out.push(m.value);
    }
    return { keep: true, value: out };
  }
  if (!isJsonObject(v)) return { keep: true, value: v };
  if (v[PATCH] === 'delete') return { keep: false, value: null };
  const out: JsonObject = {};
  for (const [k, child] of Object.entries(v)) {
    if (child === null || k === PATCH || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const m = materialize(child);
    if (m.keep) setKey(out, k, m.value);
  }
  // A list item that was only a directive ({"$patch": "replace"}) is not an item.
  return { keep: hasKey(v, PATCH) ? Object.keys(out).length > 0 : true, value: out };
}

function suffixKey(key: string, prefix: string): string {
  const rest = key.slice(prefix.length);
  if (!rest) throw smpBadRequest(`invalid patch format of ${prefix === SET_ORDER ? 'setElementOrder' : 'primitive'} list`);
  return rest;
}

/** `$patch` on a map: replace → the patch itself; delete → {}; merge → merge as usual. */
function mapDirective(patch: JsonObject): JsonObject | undefined {
  const directive = patch[PATCH];
  if (directive === 'replace') return materialize(patch).value as JsonObject;
  if (directive === 'delete') return {};
  if (directive === 'merge') {
    delete patch[PATCH];
    return undefined;
  }
  throw smpBadRequest(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
}

/** `$retainKeys`: drop the original's keys the directive does not list; the patch may only set listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw smpBadRequest('invalid patch format of retainKeys');
  const keys = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!keys.has(k)) throw smpBadRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keys.has(k)) delete original[k];
}

function asList(v: Json | undefined, what: string): Json[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw smpBadRequest(`expected a list for ${what}, got ${JSON.stringify(v)}`);
  return v;
}

/** Check a `$setElementOrder` list against its patch list: same relative order, patch ⊆ order (deletions aside). */
function validateSetOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  const items = patchList.filter((v) => !(mergeKey && isJsonObject(v) && v[PATCH] === 'delete'));
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    const item = items[p]!;
    if (isJsonObject(item) && hasKey(item, PATCH)) {
      p++;
      s--;
      continue;
    }
    const same = mergeKey ? isJsonObject(item) && isJsonObject(order[s]) && item[mergeKey] === (order[s] as JsonObject)[mergeKey] : item === order[s];
    if (same) p++;
  }
  if (p < items.length) throw smpBadRequest(`the order in patch list ${JSON.stringify(patchList)} doesn't match $setElementOrder list ${JSON.stringify(order)}`);
}

/** Process every `$setElementOrder/<list>` of this map: merge that list now and put it in the given order. */
function applySetElementOrders(original: JsonObject, patch: JsonObject, type: SchemaType): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = asList(patch[key], key)!;
    delete patch[key];
    const listKey = suffixKey(key, SET_ORDER);
    const meta = lookupPatchMeta(type, listKey);
    const originalList = asList(hasKey(original, listKey) ? original[listKey] : undefined, listKey);
    const patchList = asList(hasKey(patch, listKey) ? patch[listKey] : undefined, listKey);
    if (patchList) validateSetOrder(patchList, order, meta.mergeKey);
    let merged: Json[];
    if (originalList && patchList) merged = mergeListField(originalList, patchList, meta, false);
    else if (patchList) merged = materialize(patchList).value as Json[];
    else if (originalList) merged = originalList;
    else continue;
    const kind = elementKind(originalList ?? [], patchList ?? []);
    if (kind) {
      const { inPatch, serverOnly } = partitionByPresence(merged, order, meta.mergeKey, kind);
      merged = normalizeElementOrder(inPatch, serverOnly, order, originalList ?? [], meta.mergeKey, kind);
    }
    setKey(original, listKey, merged);
    delete patch[listKey];
  }
}

/**
 * Merge `patch` into `original` (both owned by the caller; `original` is modified and returned).
 * does: 1. a `$patch` directive decides alone; 2. `$retainKeys` prunes the original; 3. lists with a
 * `$setElementOrder` are merged and ordered; 4. every other key merges by its type and strategy.
 */
function mergeMap(original: JsonObject, patch: JsonObject, type: SchemaType): JsonObject {
  if (hasKey(patch, PATCH)) {
    const decided = mapDirective(patch);
    if (decided) return decided;
  }
  applyRetainKeys(original, patch);
  applySetElementOrders(original, patch, type);
  for (const [patchKey, patchValue] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? suffixKey(patchKey, DELETE_FROM_PRIMITIVE_LIST) : patchKey;
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const current = hasKey(original, key) ? original[key] : undefined;
    const bothMaps = isJsonObject(current) && isJsonObject(patchValue);
    const bothLists = Array.isArray(current) && Array.isArray(patchValue);
    if (current === undefined || (!bothMaps && !bothLists)) {
      if (isDeleteList) continue;
      const m = materialize(patchValue);
      if (m.keep) setKey(original, key, m.value);
      else delete original[key];
      continue;
    }
    if (bothMaps) {
      const meta = lookupPatchMeta(type, key);
      setKey(original, key, meta.strategy === 'replace' ? (materialize(patchValue).value as JsonObject) : mergeMap(current as JsonObject, patchValue as JsonObject, meta.type));
    } else {
      setKey(original, key, mergeListField(current as Json[], patchValue as Json[], lookupPatchMeta(type, key), isDeleteList));
    }
  }
  return original;
}

/** A list field: merged when its strategy is merge (or it is a `$deleteFromPrimitiveList`), else replaced. */
function mergeListField(original: Json[], patch: Json[], meta: PatchMeta, isDeleteList: boolean): Json[] {
  if (meta.strategy === 'merge' || isDeleteList) return mergeList(original, patch, meta, isDeleteList);
  return materialize(patch).value as Json[];
}

function mergeList(original: Json[], patch: Json[], meta: PatchMeta, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch)!;
  const { mergeKey } = meta;
  let base = original;
  let items = patch;
  let merged: Json[];
  if (kind === 'scalar') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw smpBadRequest(`cannot merge lists without merge key for ${meta.type || 'an unknown field'}`);
    ({ base, items } = applyListItemDirectives(original, patch, mergeKey));
    merged = [...base];
    for (const item of items) {
      const obj = item as JsonObject;
      if (!hasKey(obj, mergeKey)) throw noMergeKey(obj, mergeKey);
      const found = findByKey(merged, mergeKey, obj[mergeKey]!);
      if (found) merged[found.index] = mergeMap(found.item, obj, meta.type);
      else merged.push(materialize(obj).value);
    }
  }
  const { inPatch, serverOnly } = partitionByPresence(merged, items, mergeKey, kind);
  return normalizeElementOrder(inPatch, serverOnly, items, base, mergeKey, kind);
}

/**
 * The `$patch` items of a list of objects: `{"$patch":"delete", key}` removes that item,
 * `{"$patch":"replace"}` makes the patch's items the whole list, `{"$patch":"merge"}` changes nothing.
 */
function applyListItemDirectives(original: Json[], patch: Json[], mergeKey: string): { base: Json[]; items: Json[] } {
  let base = original;
  const items: Json[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isJsonObject(v)) throw smpBadRequest(`expected a map in the list, got ${JSON.stringify(v)}`);
    if (!hasKey(v, PATCH)) {
      items.push(v);
      continue;
    }
    switch (v[PATCH]) {
      case 'delete':
        if (!hasKey(v, mergeKey)) throw noMergeKey(v, mergeKey);
        base = base.filter((o) => !(isJsonObject(o) && o[mergeKey] === v[mergeKey]));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        break;
      default:
        throw smpBadRequest(`unknown patch type: ${JSON.stringify(v[PATCH])} in map: ${JSON.stringify(v)}`);
    }
  }
  return replace ? { base: materialize(items).value as Json[], items: [] } : { base, items };
}
