import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource, type ConfigMap, type WatchEvent } from '@kjobs/api';
import { connectBus, decodeWatchMessage, Subjects, type NatsConnection } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';
import { RedisStore } from '@kjobs/store';
import { RelayLease } from './relay-lease.js';
import { startApiServer, type ApiServer } from './server.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t${randomBytes(5).toString('hex')}`;
const token = randomBytes(16).toString('hex');
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** One api-server replica: its own Redis and NATS connections, the shared prefixes. */
interface Replica {
  redis: Redis;
  nc: NatsConnection;
  lease: RelayLease;
  server: ApiServer;
}

async function replica(): Promise<Replica> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const store = new RedisStore({ redis, prefix });
  await store.init();
  const nc = await connectBus({ url: process.env.NATS_URL });
  const lease = new RelayLease({ redis, prefix, durationMs: 600, renewMs: 150 });
  const server = await startApiServer({
    store, nc, log, port: 0, subjectPrefix: prefix, relayLease: lease,
    tokens: new Map([[token, { user: 'admin', groups: ['system:masters'] }]]),
  });
  return { redis, nc, lease, server };
}

let a: Replica;
let b: Replica;
let client: NatsConnection;
beforeAll(async () => {
  [a, b] = await Promise.all([replica(), replica()]);
  client = await connectBus({ url: process.env.NATS_URL });
});
afterAll(async () => {
  for (const r of [a, b]) {
    await r?.server.close().catch(() => undefined);
    await r?.nc.drain().catch(() => undefined);
  }
  await client?.drain();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`{${prefix}}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  a?.redis.disconnect();
  b?.redis.disconnect();
});

const waitUntil = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const cm = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: name } });

describe('two api-servers, one relay lease', { timeout: 60_000 }, () => {
  it('publish each change to NATS once; when the holder loses Redis the other takes over and a watch sees every change once, in order', async () => {
    await waitUntil('one holder', () => [a, b].filter((r) => r.lease.isHeld()).length === 1);
    const [holder, other] = a.lease.isHeld() ? [a, b] : [b, a];

    // Every message on the ConfigMap subjects, from whichever api-server sent it.
    const published: string[] = [];
    const sub = client.subscribe(new Subjects(prefix).watchAll(findResource('', 'configmaps')!));
    void (async () => {
      for await (const m of sub) published.push(decodeWatchMessage(m.data).rv);
    })();
    const seen: string[] = [];
    const watcher = new NatsClient({ nc: client, prefix, token });
    const w = watcher.watch<ConfigMap>('ConfigMap', { namespace: 'default', resourceVersion: '0' }, (ev: WatchEvent<ConfigMap>) => {
      if (ev.type !== 'ERROR') seen.push(ev.object.metadata.resourceVersion!);
    });
    // Writes go through both replicas' NATS API (queue group): either may serve any of them.
    const writer = new NatsClient({ nc: client, prefix, token });
    const written: string[] = [];
    for (let i = 0; i < 20; i++) written.push((await writer.create<ConfigMap>('ConfigMap', cm(`before-${i}`))).metadata.resourceVersion!);
    await waitUntil('20 changes watched and published', () => seen.length >= 20 && published.length >= 20);
    expect(published).toEqual(written);

    // The holder's Redis goes away: it cannot renew, so it stops publishing by itself and the
    // lease expires for the other one.
    holder.redis.disconnect();
    await waitUntil('the other replica holds the lease', () => other.lease.isHeld() && !holder.lease.isHeld(), 5_000);
    // Written through the replica that still has Redis (the other one's NATS API would fail them).
    const configmaps = findResource('', 'configmaps')!;
    for (let i = 0; i < 20; i++) written.push((await other.server.api.create(configmaps, 'default', cm(`after-${i}`))).metadata.resourceVersion!);
    await waitUntil('40 changes watched', () => seen.length >= 40);
    expect(seen).toEqual(written);
    // Each change went out once: nothing from the holder cut off from Redis, nothing twice.
    expect(new Set(published).size).toBe(published.length);
    w.stop();
    sub.unsubscribe();
  });
});
