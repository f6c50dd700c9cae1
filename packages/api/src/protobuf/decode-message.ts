import { badRequest } from '../errors.js';
import { type GoField, structFields, isStructType } from './go-schema.js';
import { WireReader, WireType } from './wire-reader.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** A decoded Time / MicroTime that was the zero time (an empty message): Go prints it as null. */
const ZERO_TIME = Symbol('zeroTime');
type Decoded = Json | typeof ZERO_TIME;

const byNumberCache = new Map<string, Map<number, GoField>>();

function fieldsByNumber(structName: string): Map<number, GoField> {
  let m = byNumberCache.get(structName);
  if (!m) {
    m = new Map((structFields(structName) ?? []).map((f) => [f.n, f]));
    byNumberCache.set(structName, m);
  }
  return m;
}

/**
 * Decode one protobuf message of a Kubernetes Go API struct into the JSON the Go API server would
 * print for it. Guarantees, matching Go's encoding/json on the decoded struct:
 *  - keys come out in the struct's declaration order, inlined structs merged into their parent;
 *  - a pointer field present on the wire is kept even when it is 0 / false / "" (it was set);
 *  - a non-pointer omitempty field holding its zero value (""/0/false/empty list or map) is dropped;
 *    gogo-protobuf writes those on every message, so they say nothing;
 *  - zero Times (empty messages) are dropped rather than printed as null;
 *  - unknown field numbers are skipped.
 * Throws 400 BadRequest on malformed bytes.
 */
export function decodeMessage(structName: string, bytes: Uint8Array): JsonObject {
  const fields = structFields(structName);
  if (!fields) throw new Error(`no Go struct ${structName} in the schema`);
  const byNumber = fieldsByNumber(structName);
  const values = new Map<GoField, Decoded>();
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wire } = r.key();
    const f = byNumber.get(field);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.t.startsWith('[]')) {
      const list = (values.get(f) as Json[] | undefined) ?? [];
      readListItems(r, f.t.slice(2), wire, list);
      values.set(f, list);
    } else if (f.t.startsWith('map[')) {
      const map = (values.get(f) as JsonObject | undefined) ?? {};
      expectWire(wire, WireType.BYTES, f);
      readMapEntry(r.bytes(), f.t.slice(4, -1), map);
      values.set(f, map);
    } else {
      values.set(f, readValue(r, f.t, wire, f));
    }
  }
  const out: JsonObject = {};
  for (const f of fields) {
    if (!values.has(f)) continue;
    const v = values.get(f)!;
    if (v === ZERO_TIME) continue;
    if (f.j === '') {
      Object.assign(out, v as JsonObject);
      continue;
    }
    if (!f.p && f.o && isZero(v, f.t)) continue;
    out[f.j] = v;
  }
  return out;
}

function isZero(v: Json, t: string): boolean {
  if (isStructType(t)) return false; // Go's omitempty never drops a struct value
  if (Array.isArray(v)) return v.length === 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length === 0;
  return v === '' || v === 0 || v === false || v === null;
}

function expectWire(wire: number, want: number, f: { j: string; t: string }): void {
  if (wire !== want) throw badRequest(`protobuf: field "${f.j}" (${f.t}) has wire type ${wire}, want ${want}`);
}

function isPackable(t: string): boolean {
  return ['bool', 'int32', 'int64', 'uint32', 'uint64', 'float', 'double'].includes(t);
}

function readListItems(r: WireReader, elem: string, wire: number, into: Json[]): void {
  if (wire === WireType.BYTES && isPackable(elem)) {
    const packed = new WireReader(r.bytes());
    const elemWire = elem === 'double' ? WireType.FIXED64 : elem === 'float' ? WireType.FIXED32 : WireType.VARINT;
    while (!packed.done) into.push(readValue(packed, elem, elemWire, { j: '[]', t: elem }) as Json);
    return;
  }
  const v = readValue(r, elem, wire, { j: '[]', t: elem });
  into.push(v === ZERO_TIME ? null : v);
}

function readMapEntry(bytes: Uint8Array, valueType: string, into: JsonObject): void {
  const r = new WireReader(bytes);
  let key = '';
  let value: Decoded = zeroOf(valueType);
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) {
      expectWire(wire, WireType.BYTES, { j: 'map key', t: 'string' });
      key = r.string();
    } else if (field === 2) {
      value = readValue(r, valueType, wire, { j: 'map value', t: valueType });
    } else {
      r.skip(wire);
    }
  }
  into[key] = value === ZERO_TIME ? null : value;
}

function zeroOf(t: string): Json {
  if (t === 'string' || t === 'bytes') return '';
  if (t === 'bool') return false;
  if (t === 'Quantity') return '0';
  if (isStructType(t)) return {};
  return 0;
}

function readValue(r: WireReader, t: string, wire: number, f: { j: string; t: string }): Decoded {
  switch (t) {
    case 'string':
      expectWire(wire, WireType.BYTES, f);
      return r.string();
    case 'bytes':
      expectWire(wire, WireType.BYTES, f);
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      expectWire(wire, WireType.VARINT, f);
      return r.varint() !== 0n;
    case 'int32':
      expectWire(wire, WireType.VARINT, f);
      return Number(BigInt.asIntN(32, r.varint()));
    case 'uint32':
      expectWire(wire, WireType.VARINT, f);
      return Number(BigInt.asUintN(32, r.varint()));
    case 'int64':
      expectWire(wire, WireType.VARINT, f);
      return Number(BigInt.asIntN(64, r.varint()));
    case 'uint64':
      expectWire(wire, WireType.VARINT, f);
      return Number(r.varint());
    case 'double':
      expectWire(wire, WireType.FIXED64, f);
      return r.double();
    case 'float':
      expectWire(wire, WireType.FIXED32, f);
      return r.float();
  }
  expectWire(wire, WireType.BYTES, f);
  const bytes = r.bytes();
  switch (t) {
    case 'Time': return decodeTime(bytes, false);
    case 'MicroTime': return decodeTime(bytes, true);
    case 'Quantity': return decodeSingleString(bytes);
    case 'IntOrString': return decodeIntOrString(bytes);
    case 'FieldsV1':
    case 'RawExtension': return decodeRawJson(bytes);
  }
  return decodeMessage(t, bytes);
}

/** metav1.Time / MicroTime: {1: seconds, 2: nanos}; an empty message is the zero time. */
function decodeTime(bytes: Uint8Array, micro: boolean): Decoded {
  if (bytes.length === 0) return ZERO_TIME;
  const r = new WireReader(bytes);
  let seconds = 0n;
  let nanos = 0;
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.VARINT) seconds = BigInt.asIntN(64, r.varint());
    else if (field === 2 && wire === WireType.VARINT) nanos = Number(BigInt.asIntN(32, r.varint()));
    else r.skip(wire);
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) throw badRequest(`protobuf: time ${seconds}s is out of range`);
  const base = date.toISOString().slice(0, 19);
  // metav1.Time keeps whole seconds only (its JSON and its protobuf Unmarshal both drop nanos).
  return micro ? `${base}.${String(Math.trunc(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** resource.Quantity: {1: string}. */
function decodeSingleString(bytes: Uint8Array): string {
  const r = new WireReader(bytes);
  let s = '';
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.BYTES) s = r.string();
    else r.skip(wire);
  }
  return s;
}

/** intstr.IntOrString: {1: type (0 int, 1 string), 2: intVal, 3: strVal}. */
function decodeIntOrString(bytes: Uint8Array): Json {
  const r = new WireReader(bytes);
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.VARINT) type = Number(r.varint());
    else if (field === 2 && wire === WireType.VARINT) intVal = Number(BigInt.asIntN(32, r.varint()));
    else if (field === 3 && wire === WireType.BYTES) strVal = r.string();
    else r.skip(wire);
  }
  return type === 1 ? strVal : intVal;
}

/** FieldsV1 / RawExtension: {1: raw JSON bytes}. */
function decodeRawJson(bytes: Uint8Array): Json {
  const r = new WireReader(bytes);
  let raw = '';
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.BYTES) raw = r.string();
    else r.skip(wire);
  }
  if (raw === '') return null;
  try {
    return JSON.parse(raw) as Json;
  } catch {
    throw badRequest('protobuf: embedded raw JSON is not valid JSON');
  }
}
