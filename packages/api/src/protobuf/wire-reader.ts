import { badRequest } from '../errors.js';

/** Protobuf wire types (proto2 / proto3 share them). */
export const WireType = { VARINT: 0, FIXED64: 1, BYTES: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

/** One field key read from the wire. */
export interface FieldKey {
  field: number;
  wire: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A cursor over protobuf wire-format bytes. Every read checks bounds and throws a 400 BadRequest
 * ("protobuf: ...") on truncated or malformed input, so a bad request body can never crash the
 * server or loop forever.
 */
export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** The next field key (field number and wire type). */
  key(): FieldKey {
    const k = this.varint();
    const field = Number(k >> 3n);
    const wire = Number(k & 7n);
    if (field === 0) throw badRequest('protobuf: invalid field number 0');
    return { field, wire };
  }

  /** A base-128 varint as an unsigned 64-bit bigint. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw badRequest('protobuf: varint longer than 10 bytes');
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (len > this.buf.length - this.pos) throw badRequest('protobuf: length-delimited field runs past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A length-delimited field as UTF-8 text. */
  string(): string {
    try {
      return utf8.decode(this.bytes());
    } catch {
      throw badRequest('protobuf: string field is not valid UTF-8');
    }
  }

  /** 8 little-endian bytes as a float64. */
  double(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  /** 4 little-endian bytes as a float32. */
  float(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  }

  /** Skip a field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WireType.VARINT: this.varint(); return;
      case WireType.FIXED64: this.take(8); return;
      case WireType.BYTES: this.bytes(); return;
      case WireType.FIXED32: this.take(4); return;
      default: throw badRequest(`protobuf: unsupported wire type ${wire}`);
    }
  }

  private take(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw badRequest('protobuf: truncated fixed-width field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
