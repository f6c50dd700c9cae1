import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pod, pods, pollUntil } from './contract-fixtures.js';
import { RedisStore } from './redis-store.js';
import { freePort } from '../../../tests/support/test-process.js';

/**
 * Behaviour that needs a Redis of our own (restarts, maxmemory): a private redis-server on a free
 * loopback port with an append-only file fsynced on every write, killed after the suite.
 */
class PrivateRedis {
  private proc?: ChildProcess;
  constructor(readonly port: number, readonly dir: string) {}

  start(): void {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    const proc = this.proc;
    process.once('exit', () => proc.kill('SIGKILL'));
  }

  /** Kill without a clean shutdown (SIGKILL) and wait for the process to exit. */
  async crash(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

describe('RedisStore on a private redis-server', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kjobs-store-redis-'));
    server = new PrivateRedis(await freePort(), dir);
    server.start();
    redis = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    await pollUntil('the private redis-server to answer', async () => (await redis.ping().catch(() => '')) === 'PONG', 20_000);
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.crash();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('after a crash and restart, init bumps the revision and older revisions answer 410; objects survive', async () => {
    const store = new RedisStore({ redis, prefix: 'restart' });
    await store.init();
    for (const n of ['a', 'b', 'c']) await store.create(pods, pod('default', n));
    const page = await store.list(pods, { limit: 1 });
    const before = await store.revision();
    expect((await store.applyRestartRule()).bumped).toBe(false);

    await server.crash();
    server.start();
    await pollUntil('redis to come back', async () => (await redis.ping().catch(() => '')) === 'PONG', 20_000);

    const r = await store.applyRestartRule();
    expect(r.bumped).toBe(true);
    expect(BigInt(r.revision)).toBe(BigInt(before) + 1_000_000n);
    expect((await store.applyRestartRule()).bumped).toBe(false);
    await expect(store.changesSince(pods, before)).rejects.toMatchObject({ code: 410 });
    await expect(store.list(pods, { limit: 1, continue: page.continue })).rejects.toMatchObject({ code: 410 });
    expect((await store.list(pods)).items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    const d = await store.create(pods, pod('default', 'd'));
    expect(BigInt(d.metadata.resourceVersion!)).toBeGreaterThan(BigInt(r.revision));
    await store.close();
  });

  it('over maxmemory, writes are refused before they change anything; reads still work', async () => {
    const store = new RedisStore({ redis, prefix: 'oom' });
    await store.init();
    const a = await store.create(pods, pod('default', 'a'));
    const rev = await store.revision();
    await redis.config('SET', 'maxmemory', '1');
    try {
      await expect(store.create(pods, pod('default', 'b'))).rejects.toThrow(/OOM/);
      await expect(store.update(pods, { ...a, status: { phase: 'Running' } })).rejects.toThrow(/OOM/);
      expect((await store.list(pods)).items).toEqual([a]);
      expect((await store.changesSince(pods, rev)).events).toEqual([]);
      expect(await store.get(pods, 'default', 'a')).toEqual(a);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect(await store.revision()).toBe(rev);
    expect(await store.get(pods, 'default', 'b')).toBeUndefined();
    await store.close();
  });
});
