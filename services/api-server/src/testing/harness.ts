import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { HttpClient, NatsClient } from '@kjobs/client';
import { RedisStore } from '@kjobs/store';
import { startApiServer, type ApiServer } from '../server.js';

/** An in-process api-server on real Redis and NATS with unique prefixes, for integration tests. */
export interface Harness {
  server: ApiServer;
  http: HttpClient;
  nats: NatsClient;
  nc: NatsConnection;
  token: string;
  prefix: string;
  stop(): Promise<void>;
}

/** `eventTtlMs`: the api-server's Event TTL (default its own, 1 h); `tokens`: more identities by bearer token. */
export async function startHarness(opts: { eventTtlMs?: number; tokens?: [string, { user: string; groups: string[] }][] } = {}): Promise<Harness> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const store = new RedisStore({ redis, prefix });
  await store.init();
  const nc = await connectBus({ url: process.env.NATS_URL });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const server = await startApiServer({ store, nc, log, port: 0, tokens: new Map([[token, { user: 'admin', groups: ['system:masters'] }], ...(opts.tokens ?? [])]), subjectPrefix: prefix, ...(opts.eventTtlMs ? { eventTtlMs: opts.eventTtlMs } : {}) });
  const http = new HttpClient({ server: server.url, token });
  const nats = new NatsClient({ nc, prefix, token });
  return {
    server, http, nats, nc, token, prefix,
    async stop() {
      await server.close();
      await http.close();
      await nc.drain();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      await store.close();
      redis.disconnect();
    },
  };
}
