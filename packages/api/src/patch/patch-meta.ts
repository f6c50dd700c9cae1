import { fieldByJsonName, KIND_STRUCTS, isStructType } from '../protobuf/go-schema.js';

/**
 * Where the strategic-merge-patch engine is in the object: a Go struct ("core.v1.PodSpec"), a map
 * value type ("map[string]"), a scalar, or '' when the schema does not know the field (then maps
 * merge and lists are replaced, like plain JSON merge patch).
 */
export type SchemaType = string;

/** How one field is patched, from its Go `patchStrategy` / `patchMergeKey` tags. */
export interface PatchMeta {
  /** The field's type (for a list: the element type). */
  type: SchemaType;
  /** "merge" (merge lists item by item), "replace" (replace whole), or "" (the default: maps merge, lists replace). */
  strategy: '' | 'merge' | 'replace';
  /** For lists of objects merged by key: the key ("name", "containerPort", "uid"...). */
  mergeKey: string;
}

const UNKNOWN: PatchMeta = { type: '', strategy: '', mergeKey: '' };

/** The schema type at the root of an object of this kind, or undefined for kinds kjobs does not know. */
export function rootSchemaType(kind: string): SchemaType | undefined {
  return KIND_STRUCTS[kind];
}

/**
 * The patch metadata of `key` inside a value of type `type`. For a list field the returned type is
 * the element type. Map values (labels...) have no strategy of their own.
 */
export function lookupPatchMeta(type: SchemaType, key: string): PatchMeta {
  if (type.startsWith('map[')) return { type: type.slice(4, -1), strategy: '', mergeKey: '' };
  if (!isStructType(type)) return UNKNOWN;
  const f = fieldByJsonName(type, key);
  if (!f) return UNKNOWN;
  const strategies = (f.s ?? '').split(',').filter((s) => s && s !== 'retainKeys');
  const strategy = strategies[0] === 'merge' || strategies[0] === 'replace' ? strategies[0] : '';
  return { type: f.t.startsWith('[]') ? f.t.slice(2) : f.t, strategy, mergeKey: f.k ?? '' };
}
