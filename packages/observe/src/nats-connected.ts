/** What nats-connected needs of a NATS connection (nats.js v3's NatsConnection has it). */
export interface StatusSource {
  status(): AsyncIterable<{ type: string }>;
  isClosed(): boolean;
}

/**
 * A check function that is true while `nc` is connected: false from a `disconnect` or
 * `reconnecting` status until `reconnect`, and for good once the connection closed.
 */
export function natsConnected(nc: StatusSource): () => boolean {
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'staleConnection') connected = false;
      else if (s.type === 'reconnect') connected = true;
      else if (s.type === 'close') connected = false;
    }
  })().catch(() => undefined);
  return () => connected && !nc.isClosed();
}
