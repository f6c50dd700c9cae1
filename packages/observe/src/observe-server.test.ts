import { Counter } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createServiceRegistry, startObserveServer, type ObserveServer } from './observe-server.js';
import { registerLeaderStatus } from './leader-metric.js';

const servers: ObserveServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('startObserveServer', () => {
  it('serves /healthz, /readyz (503 naming the failed check until it passes) and /metrics on a free loopback port', async () => {
    const registry = createServiceRegistry();
    new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3);
    let leader = false;
    registerLeaderStatus(registry, 'kube-scheduler', () => leader);
    let synced = false;
    const s = await startObserveServer({ host: '127.0.0.1', port: 0 }, { registry, readiness: [{ name: 'nats', check: () => true }, { name: 'informers-synced', check: () => synced }] });
    servers.push(s);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await (await fetch(`${s.url}/healthz`)).text()).toBe('ok\n');
    let r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(503);
    expect(await r.text()).toBe('readyz check failed: informers-synced\n');
    synced = true;
    r = await fetch(`${s.url}/readyz?verbose`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('[+]nats ok\n[+]informers-synced ok\nreadyz check passed\n');

    leader = true;
    r = await fetch(`${s.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^test_things_total 3$/m);
    expect(text).toMatch(/^leader_election_master_status\{name="kube-scheduler"\} 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
