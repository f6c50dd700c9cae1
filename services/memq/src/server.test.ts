import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryBroker } from '@kjobs/memq';
import { afterEach, describe, expect, it } from 'vitest';
import { routeLabel } from './metrics.js';
import { createMemqServer, type MemqServerOptions } from './server.js';
import { call } from './testing/http.js';

let server: Server | undefined;

async function serve(opts: Partial<MemqServerOptions> = {}): Promise<number> {
  server = createMemqServer({ broker: new MemoryBroker(), ...opts });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

describe('createMemqServer', () => {
  it('serves the MemQ Server page at /', async () => {
    const port = await serve();
    const r = await call(port, 'GET', '/', undefined, true);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('There are no queues created');
    expect(r.body).toContain("'/memq/server'");
  });

  it('/healthz and /readyz reflect the health check', async () => {
    let healthy = true;
    const port = await serve({
      health: async () => {
        if (!healthy) throw new Error('redis down');
      },
    });
    expect(await call(port, 'GET', '/healthz', undefined, true)).toMatchObject({ status: 200, body: 'ok' });
    expect(await call(port, 'GET', '/readyz', undefined, true)).toMatchObject({ status: 200, body: 'ok' });
    healthy = false;
    expect(await call(port, 'GET', '/healthz', undefined, true)).toMatchObject({ status: 503, body: 'unhealthy: redis down' });
    expect(await call(port, 'GET', '/readyz', undefined, true)).toMatchObject({ status: 503, body: 'unhealthy: redis down' });
  });

  it('/metrics has the request histogram and per-queue gauges', async () => {
    const port = await serve();
    await call(port, 'PUT', '/memq/server/queues/keygen', undefined, true);
    await call(port, 'POST', '/memq/server/queues/keygen/enqueue', 'x', true);
    const m = await call(port, 'GET', '/metrics', undefined, true);
    expect(m.body).toContain('memq_queue_depth{queue="keygen"} 1');
    expect(m.body).toContain('memq_queue_enqueued{queue="keygen"} 1');
    expect(m.body).toMatch(/memq_request_duration_seconds_count\{method="POST",route="enqueue",status_code="200"\} 1/);
  });

  it('limits enqueue bodies', async () => {
    const port = await serve({ maxBodyBytes: 3 });
    await call(port, 'PUT', '/memq/server/queues/q', undefined, true);
    expect((await call(port, 'POST', '/memq/server/queues/q/enqueue', 'abcd', true)).status).toBe(413);
  });

  it('can run without metrics', async () => {
    const port = await serve({ metrics: false });
    expect((await call(port, 'GET', '/metrics', undefined, true)).status).toBe(404);
  });
});

describe('routeLabel', () => {
  it.each([
    ['/memq/server/stats', 'stats'],
    ['/a/memq/server/stats?extended=1', 'stats'],
    ['/memq/server/queues/x', 'queue'],
    ['/memq/server/queues/x/enqueue', 'enqueue'],
    ['/memq/server/queues/x/dequeue?lease=1s', 'dequeue'],
    ['/memq/server/queues/x/ack/abc', 'ack'],
    ['/memq/server/queues/x/drain', 'drain'],
    ['/healthz', '/healthz'],
    ['/readyz', '/readyz'],
    ['/whatever', 'other'],
  ])('%s → %s', (url, want) => {
    expect(routeLabel(url)).toBe(want);
  });
});
