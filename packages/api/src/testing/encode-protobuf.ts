/**
 * Test helper: a tiny protobuf wire-format encoder that builds bodies field by field, with the field
 * numbers written out by hand (from the upstream generated.proto files), so the decoder's schema is
 * checked against an independent source instead of against itself.
 *
 *   msg(f(1, 'name'), f(7, 0), f(13, msg(f(1, 'CronJob'))))
 */

/** One field: its number and value. Numbers, bigints and booleans are varints; strings and bytes are length-delimited. */
export type ProtoField = { num: number; value: number | bigint | boolean | string | Uint8Array; packed?: false } | { num: number; packed: number[] };

/** A field with a scalar, string, bytes or nested-message value. */
export function f(num: number, value: number | bigint | boolean | string | Uint8Array): ProtoField {
  return { num, value };
}

/** A packed repeated varint field. */
export function packed(num: number, values: number[]): ProtoField {
  return { num, packed: values };
}

/** A map entry field {1: key, 2: value}. */
export function entry(num: number, key: string, value: string | Uint8Array): ProtoField {
  return f(num, msg(f(1, key), f(2, value)));
}

/** Encode a varint (negative numbers as 10-byte two's complement, as Go does for int32/int64). */
export function varint(v: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return out;
}

/** Encode fields, in the order given, as one message. */
export function msg(...fields: ProtoField[]): Uint8Array {
  const out: number[] = [];
  for (const field of fields) {
    if ('packed' in field && Array.isArray(field.packed)) {
      const body = field.packed.flatMap((v) => varint(v));
      out.push(...varint((field.num << 3) | 2), ...varint(body.length), ...body);
      continue;
    }
    const v = (field as { value: number | bigint | boolean | string | Uint8Array }).value;
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
      out.push(...varint(field.num << 3), ...varint(typeof v === 'boolean' ? (v ? 1 : 0) : v));
    } else {
      const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v;
      out.push(...varint((field.num << 3) | 2), ...varint(bytes.length), ...bytes);
    }
  }
  return Uint8Array.from(out);
}

/** A whole Kubernetes protobuf body: the "k8s\0" magic + runtime.Unknown{typeMeta, raw, "", ""}. */
export function k8sBody(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const unknown = msg(f(1, msg(f(1, apiVersion), f(2, kind))), f(2, raw), f(3, ''), f(4, ''));
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}
