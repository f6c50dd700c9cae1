import { goJsonBytes } from './go-json.js';
import { formatGoTime } from './clock.js';
import { newId } from './ids.js';
import type { Message } from './types.js';

/**
 * Why a hidden wire form: kuard answers dequeue with exactly the bytes its enqueue answered
 * (Go re-encodes the same string). Invalid UTF-8 in a body is written as the escape `\ufffd`,
 * which a decoded JS string can no longer tell apart from a real U+FFFD. So every message keeps
 * its canonical JSON (without the newline) under this symbol; brokers store that form.
 */
const WIRE = Symbol('memq.wire');

type WithWire = Message & { [WIRE]?: string };

/** A new message for `body` created at `epochMs`, with a fresh id. */
export function createMessage(body: Buffer | string, epochMs: number): Message {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const id = newId();
  const creationTimestamp = formatGoTime(epochMs);
  const bodyJson = goJsonBytes(buf);
  const wire = '{"kind":"message","id":"' + id + '","body":' + bodyJson + ',"creationTimestamp":"' + creationTimestamp + '"}';
  const m: WithWire = { kind: 'message', id, body: JSON.parse(bodyJson) as string, creationTimestamp };
  m[WIRE] = wire;
  return m;
}

/** Rebuild a message from its stored wire form (the JSON `createMessage` produced). */
export function messageFromWire(wire: string): Message {
  const m = JSON.parse(wire) as WithWire;
  m[WIRE] = wire;
  return m;
}

/** The message's canonical compact JSON, without the trailing newline. */
export function messageWire(m: Message): string {
  const w = (m as WithWire)[WIRE];
  if (w !== undefined) return w;
  // A message built elsewhere (e.g. by a test): Go's field order and escaping.
  return (
    '{"kind":"message","id":' + JSON.stringify(m.id) + ',"body":' + goJsonBytes(Buffer.from(m.body, 'utf8')) +
    ',"creationTimestamp":' + JSON.stringify(m.creationTimestamp) + '}'
  );
}
