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

/** Connect to NATS with endless reconnects (services ride out a NATS restart). */
export async function connectBus(opts: BusOptions = {}): Promise<NatsConnection> {
  return connect({
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
