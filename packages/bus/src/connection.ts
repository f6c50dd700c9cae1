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
  return connect({
    ...(inboxPrefix ? { inboxPrefix } : {}),
    servers: (opts.url ?? 'nats://127.0.0.1:4222').split(','),
    name: opts.name,
    user: opts.user,
    pass: opts.pass,
    token: opts.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
    // Building an async stack trace for every request costs CPU on the hot path (API calls).
    noAsyncTraces: true,
  });
}

export type { NatsConnection };
