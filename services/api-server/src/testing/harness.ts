import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { HttpClient, NatsClient } from '@kjobs/client';
import { MemoryStore, RedisStore, type ListReadAheadOptions, type Store } from '@kjobs/store';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../server.js';

/** An in-process api-server on real NATS and a real store (Redis or memory) with unique prefixes, for integration tests. */
export interface Harness {
  server: ApiServer;
  http: HttpClient;
  nats: NatsClient;
  nc: NatsConnection;
  token: string;
  prefix: string;
  /** The store the api-server writes (a RedisStore, or a MemoryStore with `store: 'memory'`). */
  store: Store;
  stop(): Promise<void>;
}

/** Options of startHarness. */
export interface HarnessOptions {
  /** The api-server's Event TTL (default its own, 1 h). */
  eventTtlMs?: number;
  /** More identities by bearer token. */
  tokens?: [string, { user: string; groups: string[] }][];
  /**
   * The store behind the api-server: 'redis' (default; real Redis under a unique prefix, deleted
   * on stop) or 'memory' (a MemoryStore: same store contract, no Redis, for controller tests).
   */
  store?: 'redis' | 'memory';
  /** The api-server's clock (default the wall clock); controller tests pass their fake one. */
  now?: () => Date;
  /** The api-server's logger (default silent, or TEST_LOG_LEVEL). */
  log?: Logger;
  /** Serve nodes joining with bootstrap tokens (default: not served). */
  join?: ApiServerOptions['join'];
  /** The Redis store's list read-ahead (default off; the api-server's main turns it on). */
  listReadAhead?: ListReadAheadOptions;
}

/** Start an api-server in this process on a free port; its NATS subjects carry a unique prefix. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  const backing = opts.store === 'memory' ? memoryBacking() : await redisBacking(prefix, opts.listReadAhead);
  const nc = await connectBus({ url: process.env.NATS_URL });
  const log = opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const server = await startApiServer({
    store: backing.store, nc, log, port: 0, subjectPrefix: prefix,
    tokens: new Map([[token, { user: 'admin', groups: ['system:masters'] }], ...(opts.tokens ?? [])]),
    ...(opts.eventTtlMs ? { eventTtlMs: opts.eventTtlMs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.join ? { join: opts.join } : {}),
  });
  const http = new HttpClient({ server: server.url, token });
  const nats = new NatsClient({ nc, prefix, token });
  return {
    server, http, nats, nc, token, prefix, store: backing.store,
    async stop() {
      await server.close();
      await http.close();
      await nc.drain();
      await backing.close();
    },
  };
}

interface Backing {
  store: Store;
  close(): Promise<void>;
}

function memoryBacking(): Backing {
  const store = new MemoryStore();
  return { store, close: () => store.close() };
}

async function redisBacking(prefix: string, listReadAhead?: ListReadAheadOptions): Promise<Backing> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const store = new RedisStore({ redis, prefix, ...(listReadAhead ? { listReadAhead } : {}) });
  await store.init();
  return {
    store,
    async close() {
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
