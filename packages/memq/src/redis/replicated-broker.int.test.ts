import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemqError } from '../errors.js';
import { RedisBroker } from './redis-broker.js';
import { freePort } from '../../../../tests/support/test-process.js';

/**
 * The broker with `durability` on a private primary and replica (no files): changes are answered
 * once the replica has them; with the replica SIGSTOPped an enqueue fails with 503 after the
 * timeout, and a dequeue still answers with the item it took (losing it would be worse).
 */
const procs: ChildProcess[] = [];
let redis: Redis;

beforeAll(async () => {
  const [p, r] = [await freePort(), await freePort()];
  for (const [port, extra] of [[p, []], [r, ['--replicaof', '127.0.0.1', String(p)]]] as const) {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
    procs.push(proc);
    process.once('exit', () => proc.kill('SIGKILL'));
  }
  redis = new Redis(p, '127.0.0.1', { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const end = Date.now() + 15_000;
  while (!/slave0:.*state=online/.test(await redis.info('replication').catch(() => ''))) {
    if (Date.now() > end) throw new Error('the replica did not come online');
    await new Promise((res) => setTimeout(res, 25));
  }
}, 30_000);
afterAll(async () => {
  redis?.disconnect();
  process.kill(procs[1]!.pid!, 'SIGCONT');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode === null ? (p.once('exit', r), p.kill('SIGKILL')) : r(undefined)))));
});

describe('RedisBroker with durability', () => {
  it('answers changes once the replica has them; without the replica, enqueue is 503 and dequeue keeps its item', async () => {
    const broker = new RedisBroker({ redis, prefix: 'memq-dur:', durability: { replicas: 1, timeoutMs: 200 } });
    await broker.createQueue('q');
    await broker.enqueue('q', 'first');
    process.kill(procs[1]!.pid!, 'SIGSTOP');
    try {
      const err = await broker.enqueue('q', 'second').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MemqError);
      expect(err).toMatchObject({ status: 503 });
      expect((err as Error).message).toMatch(/^the change reached the Redis primary but is not acknowledged: 0 of 1 Redis replica\(s\) confirmed it within 200 ms/);
      expect((await broker.dequeue('q'))?.body.toString()).toBe('first');
    } finally {
      process.kill(procs[1]!.pid!, 'SIGCONT');
    }
  });
});
