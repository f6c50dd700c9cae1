import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { varint } from '../testing/encode-protobuf.js';
import { WireReader } from './wire-reader.js';

describe('WireReader.varint', () => {
  it.each<[number | bigint, bigint]>([
    [0, 0n],
    [1, 1n],
    [127, 127n],
    [128, 128n],
    [300, 300n],
    [2 ** 31 - 1, 2n ** 31n - 1n],
    [-1, 2n ** 64n - 1n],
    [-62135596800, BigInt.asUintN(64, -62135596800n)],
  ])('round-trips %s', (v, want) => {
    const r = new WireReader(Uint8Array.from(varint(v)));
    expect(r.varint()).toBe(want);
    expect(r.done).toBe(true);
  });

  it.each([
    ['a truncated varint', [0x80, 0x80]],
    ['a varint longer than 10 bytes', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('rejects %s with 400', (_name, bytes) => {
    expect(() => new WireReader(Uint8Array.from(bytes)).varint()).toThrow(ApiError);
  });
});

describe('WireReader fields', () => {
  it('reads keys, strings and length-delimited bytes, and skips every wire type', () => {
    const bytes = Uint8Array.from([
      0x0a, 0x02, 0x68, 0x69, // 1: "hi"
      0x10, 0x96, 0x01, // 2: varint 150
      0x19, 1, 2, 3, 4, 5, 6, 7, 8, // 3: fixed64
      0x25, 1, 2, 3, 4, // 4: fixed32
      0x2a, 0x00, // 5: empty bytes
    ]);
    const r = new WireReader(bytes);
    expect(r.key()).toEqual({ field: 1, wire: 2 });
    expect(r.string()).toBe('hi');
    expect(r.key()).toEqual({ field: 2, wire: 0 });
    expect(r.varint()).toBe(150n);
    for (const want of [{ field: 3, wire: 1 }, { field: 4, wire: 5 }, { field: 5, wire: 2 }]) {
      const k = r.key();
      expect(k).toEqual(want);
      r.skip(k.wire);
    }
    expect(r.done).toBe(true);
  });

  it.each([
    ['a length past the end', [0x0a, 0x05, 0x61]],
    ['field number 0', [0x02, 0x00]],
    ['invalid UTF-8 in a string', [0x0a, 0x01, 0xff]],
  ])('rejects %s with 400', (_name, bytes) => {
    const r = new WireReader(Uint8Array.from(bytes));
    const e = (() => {
      try {
        r.key();
        r.string();
      } catch (err) {
        return err as ApiError;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe(400);
  });

  it('rejects group wire types (3, 4), which Kubernetes never sends', () => {
    expect(() => new WireReader(Uint8Array.from([])).skip(3)).toThrow(/wire type 3/);
  });
});
