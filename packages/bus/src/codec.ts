import type { WatchMessage } from './messages.js';

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

/**
 * A WatchMessage from an object's stored JSON, without decoding it: the relay publishes every
 * change of every kind, most of which (Events) no process decodes, and re-encoding a decoded
 * object cost as much as decoding it. The object in it carries no resourceVersion: `rv` is the
 * object's resourceVersion, and `decodeWatchMessage` puts it back.
 */
export function encodeWatchMessage(type: WatchMessage['type'], rv: string, prev: string, objectJson: string): Uint8Array {
  return enc.encode('{"type":"' + type + '","rv":"' + rv + '","prev":"' + prev + '","object":' + objectJson + '}');
}

/** A published WatchMessage, its object's `metadata.resourceVersion` set to the message's `rv`. */
export function decodeWatchMessage(data: Uint8Array): WatchMessage {
  const m = decodeJson<WatchMessage>(data);
  m.object.metadata = { ...(m.object.metadata ?? {}), resourceVersion: m.rv };
  return m;
}
