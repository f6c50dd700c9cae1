/**
 * An in-process api-server for the fuzz suites, as services/api-server/src/testing/harness.ts
 * builds one (real Redis and NATS, unique key and subject prefixes), with four identities: an
 * admin, a node, the scheduler, and the controller manager.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { RedisStore } from '@kjobs/store';
import { startApiServer, type ApiServer } from '../../services/api-server/src/server.js';
import type { Identity } from '../../services/api-server/src/auth.js';

export interface FuzzApi {
  server: ApiServer;
  port: number;
  prefix: string;
  nc: NatsConnection;
  redis: Redis;
  tokens: { admin: string; node: string; node2: string; scheduler: string; controller: string };
  /** The store's global revision: any write at all moves it. */
  revision(): Promise<string>;
  /** Number of Redis keys under the store prefix. */
  keyCount(): Promise<number>;
  stop(): Promise<void>;
}

/** Count keys matching a pattern with SCAN (never KEYS on a shared Redis). */
export async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/** Delete keys matching a pattern (cleanup of this test's prefix only). */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

export async function startFuzzApi(): Promise<FuzzApi> {
  const prefix = `fz${randomBytes(5).toString('hex')}`;
  const tok = () => randomBytes(16).toString('hex');
  const tokens = { admin: tok(), node: tok(), node2: tok(), scheduler: tok(), controller: tok() };
  const ids = new Map<string, Identity>([
    [tokens.admin, { user: 'admin', groups: ['system:masters'] }],
    [tokens.node, { user: 'system:node:node-1', groups: ['system:nodes'] }],
    [tokens.node2, { user: 'system:node:node-2', groups: ['system:nodes'] }],
    [tokens.scheduler, { user: 'system:kube-scheduler', groups: ['system:kube-scheduler'] }],
    [tokens.controller, { user: 'system:kube-controller-manager', groups: ['system:kube-controller-manager'] }],
  ]);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const store = new RedisStore({ redis, prefix });
  await store.init();
  const nc = await connectBus({ url: process.env.NATS_URL });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const server = await startApiServer({ store, nc, log, port: 0, tokens: ids, subjectPrefix: prefix });
  const port = (server.server.address() as AddressInfo).port;
  return {
    server, port, prefix, nc, redis, tokens,
    revision: () => store.revision(),
    keyCount: () => countKeys(redis, `{${prefix}}*`),
    async stop() {
      await server.close();
      await nc.drain();
      await deleteKeys(redis, `{${prefix}}*`);
      await store.close();
      redis.disconnect();
    },
  };
}
