import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { NotReplicatedError, ReplicaWait } from './replica-wait.js';
import { freePort } from '../../../tests/support/test-process.js';

/**
 * ReplicaWait against a real primary and replica (two private redis-servers on free loopback
 * ports): one WAIT covers a turn's writes, a stopped replica makes them fail after the timeout, and
 * a WAIT that outlived its connection confirms nothing.
 */
let dir: string;
const procs: ChildProcess[] = [];
let primary: Redis;
let replicaPid: number;

async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 15_000;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kjobs-replica-wait-'));
  const [p, r] = [await freePort(), await freePort()];
  for (const [port, extra] of [[p, []], [r, ['--replicaof', '127.0.0.1', String(p)]]] as const) {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
    procs.push(proc);
    process.once('exit', () => proc.kill('SIGKILL'));
  }
  replicaPid = procs[1]!.pid!;
  primary = new Redis(p, '127.0.0.1', { maxRetriesPerRequest: null });
  primary.on('error', () => undefined);
  await until('the replica online', async () => /slave0:.*state=online/.test(await primary.info('replication')));
}, 30_000);
afterAll(async () => {
  primary?.disconnect();
  process.kill(replicaPid, 'SIGCONT');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode === null ? (p.once('exit', r), p.kill('SIGKILL')) : r(undefined)))));
  rmSync(dir, { recursive: true, force: true });
});

const waits = async (): Promise<number> => Number(/cmdstat_wait:calls=(\d+)/.exec(await primary.info('commandstats'))?.[1] ?? 0);

describe('ReplicaWait', () => {
  it('confirms the writes of a loop turn with one WAIT', async () => {
    const w = new ReplicaWait(primary, { replicas: 1, timeoutMs: 2000 });
    const before = await waits();
    await Promise.all(Array.from({ length: 50 }, (_, i) => primary.set(`rw:a:${i}`, 'x').then(() => w.sync())));
    // Replies that arrive in one socket read share one WAIT (usually all 50; a busy machine splits them).
    expect(await waits() - before).toBeLessThanOrEqual(5);
    await w.barrier('rw:sync');
    expect(await primary.get('rw:sync')).toBe('0');
  });

  it('fails writes the replica does not confirm in time, saying so', async () => {
    const w = new ReplicaWait(primary, { replicas: 1, timeoutMs: 200 });
    process.kill(replicaPid, 'SIGSTOP');
    try {
      await primary.set('rw:b', 'x');
      const err = await w.sync().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotReplicatedError);
      expect((err as Error).message).toBe('0 of 1 Redis replica(s) confirmed it within 200 ms');
      await expect(w.barrier('rw:sync')).rejects.toBeInstanceOf(NotReplicatedError);
    } finally {
      process.kill(replicaPid, 'SIGCONT');
    }
    await w.sync(); // nothing new written since: the replica, back, confirms at once
  });

  it('does not let a WAIT resent on a new connection confirm a write made on the old one', async () => {
    const conn = primary.duplicate({ maxRetriesPerRequest: null });
    conn.on('error', () => undefined);
    await conn.ping();
    const w = new ReplicaWait(conn, { replicas: 1, timeoutMs: 2000 });
    await conn.set('rw:c', 'x');
    const synced = w.sync().catch((e: unknown) => e);
    conn.stream.destroy(); // ioredis reconnects and resends the WAIT there
    const err = await synced;
    expect(err).toBeInstanceOf(NotReplicatedError);
    expect((err as Error).message).toMatch(/connection to the Redis primary was lost/);
    await conn.set('rw:c', 'y');
    await w.sync(); // the new connection's own writes are confirmed again
    conn.disconnect();
  });
});
