import { connect, type NatsConnection } from '@nats-io/transport-node';

/** Options to reach NATS. */
export interface BusOptions {
  /** nats://host:port (comma-separated for a cluster). Default nats://127.0.0.1:4222. */
  url?: string;
  /** Connection name shown in NATS monitoring. */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /**
   * How often to ping the server (default 10 s); two unanswered pings and the connection counts as
   * dead and is replaced. A node across a network sets its heartbeat here, so a link that went
   * dark (a partition: no reset, the packets just vanish) is noticed in seconds rather than after
   * TCP's retransmissions give up, and a fresh connection is there as soon as the link is back.
   */
  pingIntervalMs?: number;
  /** How long one connection attempt may take (default 20 s); each new attempt sends a fresh SYN. */
  connectTimeoutMs?: number;
}

/**
 * The inbox prefix of a NATS user: `_INBOX.<user>`. Replies (request/reply, streamed logs) go to
 * inboxes under it, and deploy/nats.conf lets each user subscribe only to its own, so no service
 * reads another's API replies. Without a user (no NATS auth): the default `_INBOX`.
 */
export function inboxPrefixFor(user: string | undefined): string | undefined {
  return user && /^[A-Za-z0-9_-]+$/.test(user) ? `_INBOX.${user}` : undefined;
}

/** Connect to NATS with endless reconnects (services ride out a NATS restart). */
export async function connectBus(opts: BusOptions = {}): Promise<NatsConnection> {
  const inboxPrefix = inboxPrefixFor(opts.user);
  const nc = await connect({
    ...(inboxPrefix ? { inboxPrefix } : {}),
    servers: (opts.url ?? 'nats://127.0.0.1:4222').split(','),
    name: opts.name,
    user: opts.user,
    pass: opts.pass,
    token: opts.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: opts.pingIntervalMs ?? 10_000,
    ...(opts.connectTimeoutMs ? { timeout: opts.connectTimeoutMs } : {}),
    // Building an async stack trace for every request costs CPU on the hot path (API calls).
    noAsyncTraces: true,
  });
  coalesceWrites(nc);
  return nc;
}

const PATCHED = Symbol.for('kjobs.coalesceWrites');

interface TransportLike {
  socket?: { destroyed: boolean; cork(): void; uncork(): void };
  send(frame: Uint8Array): void;
}

const corked = new WeakSet<object>();

/**
 * Cork `stream` until the check phase of this event-loop turn (setImmediate), once per turn:
 * everything written meanwhile leaves in one write(2), in order. Call it before each write.
 */
export function corkForTurn(stream: { cork(): void; uncork(): void; destroyed?: boolean }): void {
  if (corked.has(stream) || stream.destroyed) return;
  corked.add(stream);
  stream.cork();
  setImmediate(() => {
    corked.delete(stream);
    stream.uncork();
  });
}

/**
 * One socket write per event-loop turn, not one per callback. The NATS client flushes what a
 * callback queued in a microtask, so the replies and publishes of the several I/O callbacks of
 * one poll phase (Redis replies, NATS messages, a launcher's pipe) each cost a write(2): on these
 * machines a loopback write costs 0.1–0.3 ms of CPU (the receiver's wake-up included), the
 * largest single cost of a pod. So the transport's socket is corked at its first send of a turn
 * and uncorked in setImmediate, the check phase right after that poll phase: every frame goes
 * out in order, at most one turn later. (memq's Redis connection does the same; ioredis'
 * autopipelining already waits for setImmediate.)
 *
 * It wraps the send method of the client's transport class (not part of its public API): when
 * that class changes shape, this does nothing and writes go out as before, unbatched, and
 * connection.int.test.ts fails.
 *
 * Why it stays (2026-12-07, 4 interleaved rounds at load 2–5, the same tree with and without
 * it): `npm run bench -- jobs` 196 against 170 pods/s (medians), 8.2 against 8.7 ms of CPU per
 * pod; a pod's life is many small messages from several callbacks of one turn. It costs the
 * other way in `npm run bench -- api`, where writes come one at a time: 3,216 against 3,750
 * NATS writes/s, write p99 at 1,000/s 16 against 10 ms (up to a turn's wait per write).
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const transport = (nc as unknown as { protocol?: { transport?: TransportLike } }).protocol?.transport;
  const proto = transport ? (Object.getPrototypeOf(transport) as TransportLike & { [PATCHED]?: boolean }) : undefined;
  if (!proto || typeof proto.send !== 'function' || !transport?.socket || typeof transport.socket.cork !== 'function') return false;
  if (proto[PATCHED]) return true;
  const send = proto.send;
  proto.send = function (this: TransportLike, frame: Uint8Array): void {
    if (this.socket) corkForTurn(this.socket);
    send.call(this, frame);
  };
  proto[PATCHED] = true;
  return true;
}

export type { NatsConnection };
