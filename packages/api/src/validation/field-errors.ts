/**
 * Field errors as Kubernetes' `k8s.io/apimachinery/pkg/util/validation/field` builds them. Each
 * constructor returns a `StatusCause` whose `message` is exactly what `field.Error.ErrorBody()`
 * prints, so `invalid(res, name, causes)` produces the same text kubectl shows.
 */

/** The cause reasons Kubernetes uses (`metav1.CauseType`). */
export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound';

/** One validation failure: a `StatusCause` with every member set. */
export interface FieldCause {
  reason: CauseReason;
  message: string;
  field: string;
}

/** Pass as the bad value to print no value at all (Go's `field.OmitValueType{}`). */
export const OMIT: unique symbol = Symbol('omit-value');

/** `a.b` path join; an empty parent yields just the child. */
export function child(path: string, ...names: string[]): string {
  let p = path;
  for (const n of names) p = p ? `${p}.${n}` : n;
  return p;
}

/** `path[i]`. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** `path[key]` (map entries, e.g. `resources.limits[cpu]`). */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** Go's `strconv.Quote` for the characters that matter here. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Go's `json.Marshal` look: sorted map keys, HTML-safe escapes, `null` for nothing. */
export function goJson(v: unknown): string {
  const s = JSON.stringify(sortKeys(v)) ?? 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How `ErrorBody` prints a bad value: plain numbers/bools, quoted strings, JSON otherwise. */
export function formatBadValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return goQuote(v);
  return goJson(v);
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

/** `Required value[: detail]`. */
export function required(field: string, detail = ''): FieldCause {
  return { reason: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

/** `Forbidden[: detail]`. */
export function forbidden(field: string, detail = ''): FieldCause {
  return { reason: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

/** `Invalid value: <value>[: detail]`; pass OMIT to leave the value out. */
export function invalid(field: string, value: unknown, detail = ''): FieldCause {
  const head = value === OMIT ? 'Invalid value' : `Invalid value: ${formatBadValue(value)}`;
  return { reason: 'FieldValueInvalid', field, message: withDetail(head, detail) };
}

/** `Invalid value: <value>: detail` with reason FieldValueTypeInvalid (wrong JSON type). */
export function typeInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueTypeInvalid', field, message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail) };
}

/** `Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldCause {
  const detail = valid.length ? `supported values: ${valid.map((v) => goQuote(v)).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${formatBadValue(value)}`, detail) };
}

/** `Duplicate value: <value>[: detail]`. */
export function duplicate(field: string, value: unknown, detail = ''): FieldCause {
  return { reason: 'FieldValueDuplicate', field, message: withDetail(`Duplicate value: ${formatBadValue(value)}`, detail) };
}

/** `Too long: may not be more than N bytes` (the value itself is never printed). */
export function tooLong(field: string, maxLength: number): FieldCause {
  const unit = maxLength === 1 ? 'byte' : 'bytes';
  return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxLength} ${unit}` };
}

/** `Too many: <n>: must have at most N items`. */
export function tooMany(field: string, actual: number, max: number): FieldCause {
  const unit = max === 1 ? 'item' : 'items';
  return { reason: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} ${unit}` };
}

/** `Invalid value: <v>: must be greater than or equal to 0` when v < 0 (ValidateNonnegativeField). */
export function validateNonnegative(value: number, field: string): FieldCause[] {
  return value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** `Invalid value: <new>: field is immutable` when the values differ (ValidateImmutableField). */
export function validateImmutable(newVal: unknown, oldVal: unknown, field: string): FieldCause[] {
  return deepEqual(newVal, oldVal) ? [] : [invalid(field, newVal ?? null, 'field is immutable')];
}

function isEmpty(v: unknown): boolean {
  if (v == null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.values(v).every(isEmpty);
}

/**
 * Semantic deep equality of two JSON values, like `apiequality.Semantic.DeepEqual`: an absent value,
 * `null`, an empty list and an empty map (or one holding only such values) are all equal.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!deepEqual(ra[k], rb[k])) return false;
  return true;
}
