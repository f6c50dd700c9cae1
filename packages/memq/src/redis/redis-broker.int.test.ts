import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBrokerContract } from '../broker-contract.js';
import { MemqKeys } from './keys.js';
import { RedisBroker } from './redis-broker.js';
import { LuaScript, loadLua } from './scripts.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

function uniquePrefix(): string {
  const p = `test:memq:${randomBytes(6).toString('hex')}:`;
  prefixes.push(p);
  return p;
}

runBrokerContract('RedisBroker', async (clock) => new RedisBroker({ redis, prefix: uniquePrefix(), clock }));

describe('RedisBroker durability and scripts', () => {
  it('keeps queues, order and counters across broker instances (a service restart)', async () => {
    const prefix = uniquePrefix();
    const first = new RedisBroker({ redis, prefix });
    await first.createQueue('keygen');
    for (let i = 0; i < 10; i++) await first.enqueue('keygen', `work-item-${i}`);
    await first.dequeue('keygen');
    const second = new RedisBroker({ redis, prefix });
    expect((await second.stats()).queues).toEqual([{ name: 'keygen', depth: 9, enqueued: 10, dequeued: 1, drained: 0 }]);
    expect((await second.dequeue('keygen'))!.body).toBe('work-item-1');
  });

  it('falls back to EVAL when Redis does not know the script (NOSCRIPT)', async () => {
    // A script body no Redis has seen: its EVALSHA must fail with NOSCRIPT, and run() still works.
    const fresh = new LuaScript('enqueue', loadLua('enqueue').source + `\n-- ${randomBytes(8).toString('hex')}\n`);
    await expect(redis.evalsha(fresh.sha, 0)).rejects.toThrow(/NOSCRIPT/);
    const prefix = uniquePrefix();
    const b = new RedisBroker({ redis, prefix });
    await b.createQueue('q');
    const keys = new MemqKeys(prefix).queue('q');
    expect(await fresh.run(redis, [keys.meta, keys.items], ['{"kind":"message"}'])).toBe(1);
    expect((await b.stats()).queues[0]!.enqueued).toBe(1);
  });

  it('stores everything under its prefix only', async () => {
    const prefix = uniquePrefix();
    const b = new RedisBroker({ redis, prefix });
    await b.createQueue('a:b');
    await b.enqueue('a:b', 'x');
    await b.dequeueWithLease('a:b', 10_000);
    await b.enqueue('a:b', 'y');
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([`${prefix}q:a%3Ab:items`, `${prefix}q:a%3Ab:leased`, `${prefix}q:a%3Ab:leases`, `${prefix}q:a%3Ab:meta`, `${prefix}queues`]);
  });
});
