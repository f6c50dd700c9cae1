import { RedisBroker } from '@kjobs/memq';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, REPO, memqProcessFixture } from './testing/service.js';
import { call, resetConnections } from './testing/http.js';
import { freePort, start, waitFor, type Proc } from '../../../tests/support/test-process.js';

const { prefix, procs, redis } = memqProcessFixture('memq-durable');

/** The service from its source, `npx tsx services/memq/src/main.ts`, in its own process group (a cluster runs its bundle, services/memq/dist/main.mjs, made from the same source). */
async function startService(port: number): Promise<Proc> {
  const p = start('npx', ['tsx', 'services/memq/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, MEMQ_ADDR: `127.0.0.1:${port}`, MEMQ_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'warn' },
  });
  procs.push(p);
  await waitFor(async () => (await call(port, 'GET', '/healthz', undefined, true)).status === 200, 60_000, 'memq service to listen');
  return p;
}

interface Stats {
  queues: { name: string; depth: number; enqueued: number; dequeued: number; drained: number }[];
}

describe('services/memq survives a SIGKILL mid-run', () => {
  it('loses no acknowledged enqueue and keeps FIFO order and counters across the restart', async () => {
    const port = await freePort();
    let svc = await startService(port);
    expect((await call(port, 'PUT', '/memq/server/queues/work')).status).toBe(200);

    const TOTAL = 400;
    const KILL_AFTER = 150;
    const acked: number[] = [];
    let next = 0;
    let killed = false;
    let restarted: Promise<void> | undefined;

    // 4 producers; each item is retried until acknowledged (at-least-once across the crash).
    const producer = async (): Promise<void> => {
      while (next < TOTAL) {
        const n = next++;
        for (;;) {
          try {
            const r = await call(port, 'POST', '/memq/server/queues/work/enqueue', `item-${n}`);
            if (r.status === 200) {
              acked.push(n);
              break;
            }
          } catch {
            // the server is down: wait for the restart, then retry the same item
          }
          await restarted;
        }
        if (!killed && acked.length >= KILL_AFTER) {
          killed = true;
          svc.kill('SIGKILL');
          restarted = (async () => {
            expect(await svc.exited).toBe('SIGKILL');
            resetConnections();
            svc = await startService(port);
          })();
        }
      }
    };
    await Promise.all([producer(), producer(), producer(), producer()]);
    await restarted;
    expect(killed).toBe(true);
    expect(new Set(acked).size).toBe(TOTAL);

    const before = JSON.parse((await call(port, 'GET', '/memq/server/stats')).body) as Stats;
    const q = before.queues[0]!;
    // Retries may add a duplicate of an item whose first attempt was applied just before the kill.
    expect(q.enqueued).toBeGreaterThanOrEqual(TOTAL);
    expect(q.depth).toBe(q.enqueued);

    // A sequential tail: its order is known exactly, so FIFO across a restart can be checked strictly.
    for (let i = 0; i < 50; i++) expect((await call(port, 'POST', '/memq/server/queues/work/enqueue', `tail-${i}`)).status).toBe(200);

    // Kill it again while idle; everything must still be there, in order, after the restart.
    svc.kill('SIGKILL');
    await svc.exited;
    resetConnections();
    svc = await startService(port);
    const bodies: string[] = [];
    for (;;) {
      const r = await call(port, 'POST', '/memq/server/queues/work/dequeue');
      if (r.status === 204) break;
      expect(r.status).toBe(200);
      bodies.push((JSON.parse(r.body) as { body: string }).body);
    }
    const items = bodies.filter((b) => b.startsWith('item-')).map((b) => Number(b.slice('item-'.length)));
    expect(new Set(items)).toEqual(new Set(acked));
    expect(items.length).toBe(q.enqueued);
    expect(bodies.slice(items.length)).toEqual(Array.from({ length: 50 }, (_, i) => `tail-${i}`));
    const after = JSON.parse((await call(port, 'GET', '/memq/server/stats')).body) as Stats;
    expect(after.queues).toEqual([{ name: 'work', depth: 0, enqueued: q.enqueued + 50, dequeued: q.enqueued + 50, drained: 0 }]);
  });

  it('stops gracefully on SIGTERM: answers what it accepted, then exits 0', async () => {
    const port = await freePort();
    // node itself (not the npx wrapper) so the signal reaches the service alone.
    const svc = start(process.execPath, ['--import', 'tsx', 'services/memq/src/main.ts'], {
      cwd: REPO,
      env: { ...process.env, MEMQ_ADDR: `127.0.0.1:${port}`, MEMQ_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'info' },
    });
    procs.push(svc);
    await waitFor(async () => (await call(port, 'GET', '/healthz', undefined, true)).status === 200, 60_000, 'memq service to listen');
    await call(port, 'PUT', '/memq/server/queues/term', undefined, true);
    // keep-alive connections, as real clients hold them
    const inFlight = Array.from({ length: 20 }, (_, i) => call(port, 'POST', '/memq/server/queues/term/enqueue', `t${i}`));
    svc.child.kill('SIGTERM');
    const replies = await Promise.allSettled(inFlight);
    expect(await svc.exited).toBe(0);
    expect(svc.stdout()).toContain('"msg":"stopped"');
    const ok = replies.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length;
    const stats = await new RedisBroker({ redis, prefix }).stats();
    expect(stats.queues.find((q) => q.name === 'term')!.depth).toBeGreaterThanOrEqual(ok);
  });
});
