const enc = new TextEncoder();
const dec = new TextDecoder();

/** JSON → bytes for a NATS payload. */
export function encodeJson(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

/** Bytes of a NATS payload → JSON. */
export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(dec.decode(data)) as T;
}
