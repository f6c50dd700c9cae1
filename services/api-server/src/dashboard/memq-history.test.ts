import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchMemqStats, MemqHistory, type MemqStat } from './memq-history.js';

const stat = (name: string, depth: number): MemqStat => ({ name, depth, enqueued: depth, dequeued: 0, drained: 0 });

describe('MemqHistory', () => {
  it('keeps one sample per poll per queue within the window; deleted queues go', async () => {
    let now = 1_000_000;
    let answer: MemqStat[] | Error = [stat('keygen', 100), stat('a', 1)];
    const h = new MemqHistory({ fetchStats: async () => { if (answer instanceof Error) throw answer; return answer; }, windowMs: 10_000, now: () => now });
    await h.poll();
    now += 4000;
    answer = [stat('keygen', 60)];
    await h.poll();
    now += 4000;
    answer = [stat('keygen', 20)];
    await h.poll();
    expect(h.summary()).toEqual({
      enabled: true, windowSeconds: 10, now, updated: now,
      queues: [{ name: 'keygen', depth: 20, enqueued: 20, dequeued: 0, drained: 0, history: [[1_000_000, 100], [1_004_000, 60], [1_008_000, 20]] }],
    });
    now += 4000;
    answer = [stat('keygen', 0)];
    await h.poll();
    expect(h.summary().queues[0]!.history).toEqual([[1_004_000, 60], [1_008_000, 20], [1_012_000, 0]]);
  });

  it('a failed poll keeps the last picture and reports the error', async () => {
    let fail = false;
    const h = new MemqHistory({ fetchStats: async () => { if (fail) throw new Error('connect ECONNREFUSED'); return [stat('q', 3)]; }, now: () => 5 });
    await h.poll();
    fail = true;
    await h.poll();
    expect(h.summary()).toMatchObject({ error: 'connect ECONNREFUSED', updated: 5, queues: [{ name: 'q', depth: 3 }] });
  });
});

describe('fetchMemqStats', () => {
  const paths: string[] = [];
  let server: Server;
  let base = '';
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads the stats from the server URL or its MemQ base; non-200 is an error', async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/broken/memq/server/stats') return void res.writeHead(500).end('no');
      res.setHeader('Content-Type', 'application/json');
      res.end('{"kind":"stats","queues":[{"name":"keygen","depth":2,"enqueued":5,"dequeued":3,"drained":0}]}\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await fetchMemqStats(base)).toEqual([{ name: 'keygen', depth: 2, enqueued: 5, dequeued: 3, drained: 0 }]);
    await fetchMemqStats(`${base}/memq/server/`);
    await expect(fetchMemqStats(`${base}/broken`)).rejects.toThrow(/memq answered 500/);
    expect(paths).toEqual(['/memq/server/stats', '/memq/server/stats', '/broken/memq/server/stats']);
  });
});
