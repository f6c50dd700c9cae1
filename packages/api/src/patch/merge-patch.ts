import { cloneJson, hasKey, isJsonObject, setKey, type Json, type JsonObject } from './json-value.js';

/** The media type of an RFC 7386 JSON merge patch (`kubectl patch --type=merge`, label, annotate). */
export const MERGE_PATCH_MEDIA_TYPE = 'application/merge-patch+json';

/**
 * Apply an RFC 7386 JSON merge patch. Objects merge key by key, `null` deletes a key, and anything
 * that is not an object (arrays included) replaces the target value whole. Returns a new value and
 * never mutates `target` or `patch`.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergePatch(cloneJson(target) as Json | undefined, patch as Json);
}

function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else {
      setKey(out, key, mergePatch(hasKey(out, key) ? out[key] : undefined, value));
    }
  }
  return out;
}
