import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { RedisBroker } from '@kjobs/memq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemqServer } from './server.js';
import { call } from './testing/http.js';
import { start, waitFor, type Proc } from '../../../tests/support/test-process.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:memq-lease:${randomBytes(6).toString('hex')}:`;
let redis: Redis;
let server: Server;
let port = 0;
const procs: Proc[] = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  server = createMemqServer({ broker: new RedisBroker({ redis, prefix }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const p of procs) p.kill();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

interface Leased {
  id: string;
  body: string;
  leaseId: string;
}

interface ExtStat {
  name: string;
  depth: number;
  enqueued: number;
  dequeued: number;
  drained: number;
  inFlight: number;
  redelivered: number;
}

async function extStats(queue: string): Promise<ExtStat> {
  const s = JSON.parse((await call(port, 'GET', '/memq/server/stats?extended=1')).body) as { queues: ExtStat[] };
  return s.queues.find((q) => q.name === queue)!;
}

/** A consumer in its own process: takes one item under a lease, prints it, then works "forever". */
const DYING_CONSUMER = `
const http = require('node:http');
const req = http.request({ host: '127.0.0.1', port: Number(process.argv[1]), method: 'POST', path: '/memq/server/queues/jobs/dequeue?lease=3s' }, (res) => {
  let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => { process.stdout.write(b); setInterval(() => {}, 1 << 30); });
});
req.end();
`;

describe('lease mode: a consumer that dies mid-item does not lose it', () => {
  it('the item of a SIGKILLed consumer is redelivered after its lease expires', async () => {
    expect((await call(port, 'PUT', '/memq/server/queues/jobs')).status).toBe(200);
    const sent = JSON.parse((await call(port, 'POST', '/memq/server/queues/jobs/enqueue', 'precious')).body) as { id: string };

    const consumer = start(process.execPath, ['-e', DYING_CONSUMER, String(port)]);
    procs.push(consumer);
    await waitFor(() => consumer.stdout().endsWith('}\n'), 20_000, 'the consumer to take the item');
    const taken = JSON.parse(consumer.stdout()) as Leased;
    expect(taken.id).toBe(sent.id);
    consumer.kill('SIGKILL');
    expect(await consumer.exited).toBe('SIGKILL');

    // While the lease runs (3 s), nobody else gets the item.
    expect((await call(port, 'POST', '/memq/server/queues/jobs/dequeue?lease=1s')).status).toBe(204);
    expect(await extStats('jobs')).toMatchObject({ depth: 0, inFlight: 1 });

    let again: Leased | undefined;
    await waitFor(async () => {
      const r = await call(port, 'POST', '/memq/server/queues/jobs/dequeue?lease=30s');
      if (r.status === 200) again = JSON.parse(r.body) as Leased;
      return again !== undefined;
    }, 20_000, 'redelivery');
    expect(again!.id).toBe(sent.id);
    expect(again!.body).toBe('precious');
    expect(again!.leaseId).not.toBe(taken.leaseId);
    // The dead consumer's lease is void; the new one settles the item.
    expect(await call(port, 'POST', `/memq/server/queues/jobs/ack/${taken.leaseId}`)).toMatchObject({ status: 400, body: 'lease not found\n' });
    expect((await call(port, 'POST', `/memq/server/queues/jobs/ack/${again!.leaseId}`)).status).toBe(200);
    expect(await extStats('jobs')).toEqual({ name: 'jobs', depth: 0, enqueued: 1, dequeued: 1, drained: 0, inFlight: 0, redelivered: 1 });
  });

  it('1,000 items through 8 consumers that sometimes die mid-item all end acked exactly once', async () => {
    const N = 1000;
    expect((await call(port, 'PUT', '/memq/server/queues/bulk')).status).toBe(200);
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => call(port, 'POST', '/memq/server/queues/bulk/enqueue', `item-${i + j}`)));
    }
    const LEASE_MS = 1000;
    const acks = new Map<string, number>();
    const abandoned = new Set<string>();
    const deliveries = new Map<string, number>();
    let lateAcks = 0;

    const consumer = async (): Promise<void> => {
      while (acks.size < N && !timedOut) {
        const r = await call(port, 'POST', `/memq/server/queues/bulk/dequeue?lease=${LEASE_MS}ms`);
        const takenAt = Date.now();
        if (r.status === 204) {
          // Nothing visible: abandoned items are waiting for their leases to expire. Poll again.
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        expect(r.status).toBe(200);
        const m = JSON.parse(r.body) as Leased;
        deliveries.set(m.body, (deliveries.get(m.body) ?? 0) + 1);
        // Every 25th item "crashes" its consumer the first time: never acked.
        if (Number(m.body.slice(5)) % 25 === 0 && !abandoned.has(m.body)) {
          abandoned.add(m.body);
          continue;
        }
        const ack = await call(port, 'POST', `/memq/server/queues/bulk/ack/${m.leaseId}`);
        if (ack.status === 400) {
          // Only legitimate when this consumer was slower than its lease (a stalled machine):
          // then the item went back to the queue and someone acks it later.
          expect(ack.body).toBe('lease not found\n');
          expect(Date.now() - takenAt).toBeGreaterThanOrEqual(LEASE_MS - 50);
          lateAcks++;
          continue;
        }
        expect(ack.status).toBe(200);
        acks.set(m.body, (acks.get(m.body) ?? 0) + 1);
      }
    };
    let timedOut = false;
    const deadline = setTimeout(() => (timedOut = true), 90_000);
    try {
      await Promise.all(Array.from({ length: 8 }, consumer));
    } finally {
      clearTimeout(deadline);
    }
    expect(timedOut).toBe(false);
    expect(acks.size).toBe(N);
    expect([...acks.values()].every((n) => n === 1)).toBe(true);
    expect(abandoned.size).toBe(N / 25);
    for (const body of abandoned) expect(deliveries.get(body)).toBeGreaterThanOrEqual(2);
    const redeliveries = [...deliveries.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(redeliveries).toBe(N / 25 + lateAcks);
    expect(await extStats('bulk')).toEqual({ name: 'bulk', depth: 0, enqueued: N, dequeued: N, drained: 0, inFlight: 0, redelivered: redeliveries });
  }, 120_000);
});
