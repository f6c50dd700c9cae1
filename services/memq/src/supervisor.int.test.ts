import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, REPO, memqProcessFixture } from './testing/service.js';
import { call } from './testing/http.js';
import { freePort, start, waitFor, type Proc } from '../../../tests/support/test-process.js';

const { prefix, procs } = memqProcessFixture('memq-workers');

/** The service with two workers, started as node itself so the spawned pid is the primary. */
function startService(port: number): Proc {
  const p = start(process.execPath, ['--import', 'tsx', 'services/memq/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, MEMQ_ADDR: `127.0.0.1:${port}`, MEMQ_PREFIX: prefix, MEMQ_WORKERS: '2', REDIS_URL, LOG_LEVEL: 'info' },
  });
  procs.push(p);
  return p;
}

/** Live (not zombie) children of a pid, read from /proc. */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') kids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function listening(port: number, p: Proc): Promise<void> {
  await waitFor(() => (p.stdout().match(/memq listening/g) ?? []).length >= 2, 60_000, 'both workers to listen');
  await waitFor(async () => (await call(port, 'GET', '/healthz', undefined, true)).status === 200, 10_000, 'memq to answer');
}

describe('services/memq with MEMQ_WORKERS=2', () => {
  it('serves from two workers, reports their metrics together, replaces a dead worker and stops cleanly', async () => {
    const port = await freePort();
    const svc = startService(port);
    await listening(port, svc);
    const workers = childrenOf(svc.child.pid!);
    expect(workers).toHaveLength(2);

    expect((await call(port, 'PUT', '/memq/server/queues/w', undefined, true)).status).toBe(200);
    // Fresh connections, so the requests land on both workers (node:cluster hands connections round-robin).
    for (let i = 0; i < 10; i++) expect((await call(port, 'POST', '/memq/server/queues/w/enqueue', `item-${i}`, true)).status).toBe(200);
    // Whichever worker takes the scrape reports both workers' requests, and the queue once.
    for (let i = 0; i < 2; i++) {
      const m = (await call(port, 'GET', '/metrics', undefined, true)).body;
      expect(m).toMatch(/memq_request_duration_seconds_count\{method="POST",route="enqueue",status_code="200"\} 10\n/);
      expect(m).toContain('memq_queue_depth{queue="w"} 10\n');
      expect(m).toContain('memq_queue_enqueued{queue="w"} 10\n');
    }

    // A worker killed outright is replaced; the service answers throughout.
    process.kill(workers[0]!, 'SIGKILL');
    await waitFor(() => {
      const now = childrenOf(svc.child.pid!);
      return now.length === 2 && !now.includes(workers[0]!);
    }, 60_000, 'a replacement worker');
    await waitFor(() => (svc.stdout().match(/memq listening/g) ?? []).length >= 3, 60_000, 'the replacement to listen');
    expect(svc.stdout()).toContain('worker died; starting another');
    expect((await call(port, 'POST', '/memq/server/queues/w/dequeue', undefined, true)).status).toBe(200);

    // SIGTERM: the workers finish and the primary exits 0.
    const last = childrenOf(svc.child.pid!);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    await waitFor(() => last.every((pid) => !alive(pid)), 10_000, 'the workers to exit');
  });

  it('leaves no worker behind when the primary is SIGKILLed', async () => {
    const port = await freePort();
    const svc = startService(port);
    await listening(port, svc);
    const workers = childrenOf(svc.child.pid!);
    expect(workers).toHaveLength(2);
    // Only the primary: its workers must notice on their own.
    process.kill(svc.child.pid!, 'SIGKILL');
    await waitFor(() => workers.every((pid) => !alive(pid)), 20_000, 'the orphaned workers to exit');
  });

  it('exits 1 when its workers cannot listen', async () => {
    const port = await freePort();
    const holder = startService(port);
    await listening(port, holder);
    // A second service on the same address: its workers fail to bind, so it stops rather than retrying forever.
    const second = startService(port);
    expect(await second.exited).toBe(1);
    expect(second.stdout()).toContain('a worker exited before it listened');
    holder.kill('SIGTERM');
  });
});
