import { child, typeInvalid, type FieldCause } from './field-errors.js';

/**
 * Typed reads of untrusted JSON. Objects reach validation as the client sent them, so a field may
 * hold the wrong JSON type; each reader reports that as one FieldValueTypeInvalid cause and returns
 * undefined, so the validators after it never see a wrong type and never throw.
 */

/** A JSON object (not null, not an array), or undefined. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The object's fields, reading through a JSON type check. */
export class FieldReader {
  constructor(
    readonly obj: Record<string, unknown>,
    readonly path: string,
    readonly causes: FieldCause[],
  ) {}

  /** A reader for `path` when `v` is an object (or absent → empty object). */
  static of(v: unknown, path: string, causes: FieldCause[]): FieldReader {
    const r = asRecord(v);
    if (v != null && !r) causes.push(typeInvalid(path, v, 'must be of type object'));
    return new FieldReader(r ?? {}, path, causes);
  }

  private bad(name: string, type: string): undefined {
    const cause = typeInvalid(child(this.path, name), this.obj[name], `must be of type ${type}`);
    // A field may be read more than once (by different rules); report its type once.
    if (!this.causes.some((c) => c.field === cause.field && c.reason === cause.reason)) this.causes.push(cause);
    return undefined;
  }

  /** Whether the field is present and not null. */
  has(name: string): boolean {
    return this.obj[name] != null;
  }

  /** An integer field. */
  int(name: string): number | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    return typeof v === 'number' && Number.isInteger(v) ? v : this.bad(name, 'integer');
  }

  /** A string field. */
  str(name: string): string | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    return typeof v === 'string' ? v : this.bad(name, 'string');
  }

  /** A boolean field. */
  bool(name: string): boolean | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    return typeof v === 'boolean' ? v : this.bad(name, 'boolean');
  }

  /** An integer or a string (Kubernetes IntOrString). */
  intOrString(name: string): number | string | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? v : this.bad(name, 'integer or string');
  }

  /** A map of string to string (labels, annotations, nodeSelector, resource lists). */
  stringMap(name: string): Record<string, string> | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    const r = asRecord(v);
    if (!r || Object.values(r).some((x) => typeof x !== 'string')) return this.bad(name, 'map of string');
    return r as Record<string, string>;
  }

  /** A list of strings. */
  stringList(name: string): string[] | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return this.bad(name, 'array of string');
    return v as string[];
  }

  /** A list (elements unchecked). */
  list(name: string): unknown[] | undefined {
    const v = this.obj[name];
    if (v == null) return undefined;
    return Array.isArray(v) ? v : this.bad(name, 'array');
  }

  /** A nested object as a reader (absent → an empty reader); undefined only on a wrong type. */
  sub(name: string): FieldReader | undefined {
    const v = this.obj[name];
    if (v == null) return new FieldReader({}, child(this.path, name), this.causes);
    const r = asRecord(v);
    return r ? new FieldReader(r, child(this.path, name), this.causes) : this.bad(name, 'object');
  }

  /** A nested object as a reader, or undefined when absent or of the wrong type. */
  opt(name: string): FieldReader | undefined {
    return this.has(name) ? this.sub(name) : undefined;
  }

  /** The path of a child field. */
  at(name: string): string {
    return child(this.path, name);
  }
}
