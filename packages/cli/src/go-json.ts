/**
 * JSON as Go's encoding/json writes a `map[string]interface{}` (what kubectl holds a manifest
 * in): object keys sorted, no spaces, and `<`, `>`, `&`, U+2028, U+2029 escaped. The
 * last-applied-configuration annotation must match what kubectl writes byte for byte.
 */

/** A deep copy of a JSON value with every object's keys sorted. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out as T;
  }
  return value;
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Compact JSON with sorted keys and Go's HTML-safe escaping. */
export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

/** `json.MarshalIndent(v, "", "    ")`: sorted keys, four spaces, Go's HTML-safe escaping. */
export function goJsonIndent(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 4).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}
