import { fieldByJsonName, isStructType, KIND_STRUCTS } from '../protobuf/go-schema.js';
import type { DecodeFacts } from './json-text.js';
import { formatPath } from './json-text.js';

/**
 * The decode step of kube-apiserver, against the Go API types of the kind (the generated table
 * the protobuf decoder and the strategic merge patch engine also use): a value of the wrong JSON
 * type or an integer outside its Go type fails the decode (400); a field the type does not have
 * is reported and dropped, never stored.
 */

/** A field the kind's Go type does not have. */
export interface UnknownField {
  /** Kubernetes path: `spec.template.spec.containers[0].bogus`. */
  path: string;
  /** Offset of the key in the request text, when known (orders findings as kube-apiserver does). */
  offset: number;
}

/** A value Go's encoding/json would not decode into the field (wrong JSON type, integer out of range). */
export class DecodeTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeTypeError';
  }
}

/** How to walk. */
export interface SchemaCheckOptions {
  /** From parsing the request text: exact number literals and key offsets. */
  facts?: DecodeFacts;
  /** Visit keys in sorted order (a patched object, re-encoded from a Go map, is reported so). */
  sortKeys?: boolean;
  /** A strategic merge patch: `$patch`, `$retainKeys`, `$setElementOrder/…` keys are directives, not fields. */
  patchDirectives?: boolean;
  /** Delete the unknown fields from the value (default true). */
  prune?: boolean;
}

const INT_RANGE: Record<string, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** The same ranges as numbers (a safe integer is always inside int64 and, when not negative, uint64). */
const NUM_RANGE: Record<string, readonly [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-Infinity, Infinity],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, Infinity],
};

const ROOT_TYPE_META = new Set(['apiVersion', 'kind']);

/**
 * Check `value` (an object of `kind`, or a merge/strategic patch for one) against the kind's Go
 * type. Returns the unknown fields (pruned from `value` unless `prune: false`); throws
 * DecodeTypeError with Go's message for a value the field cannot hold. Kinds without a Go type
 * in the table pass unchecked.
 */
export function checkAgainstSchema(kind: string, value: unknown, opts: SchemaCheckOptions = {}): UnknownField[] {
  const root = KIND_STRUCTS[kind];
  const out: UnknownField[] = [];
  if (!root || !isRecord(value)) return out;
  new Walker(opts, out, kind).struct(root, value, undefined, undefined);
  return out;
}

/**
 * A path as a chain of links to the parent: the walk visits every field of every write, and a
 * path is only spelled out for an unknown field or an error, so no array is built per field.
 */
type Path = { readonly parent: Path; readonly key: string | number } | undefined;

function pathOf(p: Path, tail?: string | number): (string | number)[] {
  const out: (string | number)[] = tail === undefined ? [] : [tail];
  for (let x = p; x; x = x.parent) out.push(x.key);
  return out.reverse();
}

class Walker {
  constructor(private readonly o: SchemaCheckOptions, private readonly out: UnknownField[], private readonly rootName: string) {}

  struct(t: string, v: Record<string, unknown>, path: Path, goPath: Path): void {
    const keys = Object.keys(v);
    if (this.o.sortKeys) keys.sort();
    const offsets = this.o.facts?.keyOffsets.get(v);
    const owner = goStructName(t);
    for (const key of keys) {
      if (this.o.patchDirectives && key.startsWith('$')) continue;
      if (path === undefined && ROOT_TYPE_META.has(key)) {
        this.scalar('string', v, key, { parent: undefined, key }, this.rootName);
        continue;
      }
      const f = fieldByJsonName(t, key);
      if (!f) {
        this.out.push({ path: formatPath(pathOf(path, key)), offset: offsets?.get(key) ?? Number.MAX_SAFE_INTEGER });
        if (this.o.prune !== false) delete v[key];
        continue;
      }
      this.value(f.t, v, key, { parent: path, key }, { parent: goPath, key }, owner);
    }
  }

  /** The value at holder[key], of schema type t; `owner` is the Go struct that declares the field. */
  value(t: string, holder: object, key: string, path: Path, goPath: Path, owner: string): void {
    const v = (holder as Record<string, unknown>)[key];
    if (v === null || v === undefined) return;
    if (t.startsWith('[]')) {
      const elem = t.slice(2);
      if (!Array.isArray(v)) return this.typeError(v, goPath, owner, goType(t));
      for (let i = 0; i < v.length; i++) this.value(elem, v, String(i), { parent: path, key: i }, goPath, owner);
      return;
    }
    if (t.startsWith('map[')) {
      const elem = t.slice(4, -1);
      if (!isRecord(v)) return this.typeError(v, goPath, owner, goType(t));
      for (const k of Object.keys(v)) this.value(elem, v, k, { parent: path, key: k }, goPath, owner);
      return;
    }
    if (isStructType(t)) {
      if (!isRecord(v)) return this.typeError(v, goPath, owner, goType(t));
      this.struct(t, v, path, goPath);
      return;
    }
    this.scalar(t, holder, key, goPath, owner);
  }

  private scalar(t: string, holder: object, key: string, goPath: Path, owner: string): void {
    const v = (holder as Record<string, unknown>)[key];
    if (v === null || v === undefined) return;
    switch (t) {
      case 'string': case 'bytes': case 'Time': case 'MicroTime': case 'Duration': {
        if (typeof v !== 'string') return this.typeError(v, goPath, owner, goType(t));
        // A []byte field (Secret data, ConfigMap binaryData) is standard base64, as Go decodes it.
        const at = t === 'bytes' ? base64ErrorOffset(v) : undefined;
        if (at !== undefined) throw new DecodeTypeError(`illegal base64 data at input byte ${at}`);
        return;
      }
      case 'bool':
        if (typeof v !== 'boolean') this.typeError(v, goPath, owner, goType(t));
        return;
      case 'float': case 'double':
        if (typeof v !== 'number') this.typeError(v, goPath, owner, goType(t));
        return;
      case 'Quantity':
        if (typeof v !== 'string' && typeof v !== 'number') this.typeError(v, goPath, owner, goType(t));
        return;
      case 'IntOrString':
        if (typeof v === 'string') return;
        if (typeof v !== 'number') return this.typeError(v, goPath, owner, goType(t));
        return this.integer('int32', v, holder, key, goPath, owner, 'intstr.IntOrString');
      case 'FieldsV1': case 'RawExtension':
        return;
      default:
        if (INT_RANGE[t]) {
          if (typeof v !== 'number') return this.typeError(v, goPath, owner, goType(t));
          return this.integer(t, v, holder, key, goPath, owner, t);
        }
    }
  }

  /** An integer field: the literal must be an integer in the Go type's range, and one a JS number holds exactly. */
  private integer(t: string, v: number, holder: object, key: string, goPath: Path, owner: string, typeName: string): void {
    const literal = this.o.facts?.numbers.get(holder)?.get(key);
    // The common case, decided without BigInt: a safe integer written as itself, inside the type's range.
    if (Number.isSafeInteger(v) && (literal === undefined || literal === String(v))) {
      const [lo, hi] = NUM_RANGE[t]!;
      if (v >= lo && v <= hi) return;
    }
    const text = literal ?? String(v);
    const where = `Go struct field ${owner}.${pathOf(goPath).join('.')} of type ${typeName}`;
    if (!/^-?\d+$/.test(text)) throw new DecodeTypeError(`json: cannot unmarshal number ${text} into ${where}`);
    const n = BigInt(text);
    const [lo, hi] = INT_RANGE[t]!;
    if (n < lo || n > hi) throw new DecodeTypeError(`json: cannot unmarshal number ${text} into ${where}`);
    if (!Number.isSafeInteger(v) || BigInt(v) !== n) {
      // In range for Go, but a JS number would store another integer: refuse rather than change it.
      throw new DecodeTypeError(`json: cannot unmarshal number ${text} into ${where}: kjobs stores integers exactly only up to ±${Number.MAX_SAFE_INTEGER}`);
    }
  }

  private typeError(v: unknown, goPath: Path, owner: string, typeName: string): void {
    const what = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
    throw new DecodeTypeError(`json: cannot unmarshal ${what} into Go struct field ${owner}.${pathOf(goPath).join('.')} of type ${typeName}`);
  }
}

/**
 * Where Go's base64.StdEncoding stops decoding `s` (CorruptInputError's offset), or undefined when
 * it decodes: a character outside the alphabet, misplaced padding, or an incomplete last quantum.
 * Go skips \r and \n; they are dropped first (offsets then count without them).
 */
export function base64ErrorOffset(s: string): number | undefined {
  const t = s.replace(/[\r\n]/g, '');
  const bad = t.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return bad;
  const pad = t.indexOf('=');
  if (pad >= 0) {
    const pos = pad % 4;
    if (pos < 2) return pad;
    if (pos === 2 && t[pad + 1] !== '=') return pad + 1;
    const end = pos === 2 ? pad + 2 : pad + 1;
    return end < t.length ? end : undefined;
  }
  if (t.length % 4 !== 0) return t.length - (t.length % 4);
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** "batch.v1.JobSpec" → "JobSpec" (the struct name Go puts in a type error). */
function goStructName(t: string): string {
  return t.slice(t.lastIndexOf('.') + 1);
}

/** A schema type as Go prints it: v1.JobSpec, []v1.Container, map[string]string, int32. */
function goType(t: string): string {
  if (t.startsWith('[]')) return `[]${goType(t.slice(2))}`;
  if (t.startsWith('map[')) return `map[string]${goType(t.slice(4, -1))}`;
  if (isStructType(t)) return `v1.${goStructName(t)}`;
  const special: Record<string, string> = { Time: 'v1.Time', MicroTime: 'v1.MicroTime', Duration: 'v1.Duration', Quantity: 'resource.Quantity', IntOrString: 'intstr.IntOrString', float: 'float32', double: 'float64', bytes: '[]uint8' };
  return special[t] ?? t;
}
