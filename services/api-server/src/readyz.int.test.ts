import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { RedisStore } from '@kjobs/store';
import { startApiServer, type ApiServer } from './server.js';

/**
 * /readyz is what HAProxy checks (scripts/cluster/haproxy.ts): it must fail, and answer within a
 * second, when the api-server has lost Redis (ioredis then queues every command until it
 * reconnects) or NATS. Redis is reached through a TCP relay the test can cut.
 */
const target = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `t${randomBytes(5).toString('hex')}`;
let relayOpen = true;
const sockets = new Set<net.Socket>();
const relay = net.createServer((c) => {
  if (!relayOpen) return c.destroy();
  const up = net.connect(Number(target.port || 6379), target.hostname);
  for (const s of [c, up]) {
    sockets.add(s);
    s.on('error', () => undefined).on('close', () => sockets.delete(s));
  }
  c.pipe(up).pipe(c);
});

let redis: Redis;
let nc: NatsConnection;
let server: ApiServer;
beforeAll(async () => {
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  redis = new Redis((relay.address() as net.AddressInfo).port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  redis.on('error', () => undefined); // the cut below, expected
  const store = new RedisStore({ redis, prefix });
  await store.init();
  nc = await connectBus({ url: process.env.NATS_URL });
  server = await startApiServer({ store, nc, log: pino({ level: 'silent' }), port: 0, subjectPrefix: prefix, tokens: new Map() });
});
afterAll(async () => {
  await server?.close();
  if (!nc?.isClosed()) await nc?.close();
  redis?.disconnect();
  relay.close();
  const r = new Redis(target.toString());
  const keys = await r.keys(`{${prefix}}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
});

async function readyz(): Promise<{ status: number; body: string; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`${server.url}/readyz?verbose`);
  return { status: res.status, body: await res.text(), ms: Date.now() - t0 };
}

describe('/readyz of an api-server', { timeout: 30_000 }, () => {
  it('passes with Redis and NATS, fails within about a second without Redis, and fails without NATS', async () => {
    expect(await readyz()).toMatchObject({ status: 200, body: '[+]store ok\n[+]nats ok\nreadyz check passed\n' });

    relayOpen = false;
    for (const s of sockets) s.destroy();
    const cut = await readyz();
    expect(cut).toMatchObject({ status: 503, body: '[-]store failed\n[+]nats ok\nreadyz check failed\n' });
    expect(cut.ms).toBeLessThan(3000);

    relayOpen = true;
    const end = Date.now() + 10_000;
    while ((await readyz()).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect((await readyz()).status).toBe(200);

    await nc.close();
    expect(await readyz()).toMatchObject({ status: 503, body: '[+]store ok\n[-]nats failed\nreadyz check failed\n' });
  });
});
