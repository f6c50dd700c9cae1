import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../auth.js';
import { errorHandler } from '../http/app.js';
import { MemqHistory } from './memq-history.js';
import { createDashboardRouter, type DashboardDeps } from './router.js';

const TOKEN = 'dashboard-test-token';
const log = pino({ level: 'silent' });
const servers: Server[] = [];

async function serve(deps: Partial<DashboardDeps>): Promise<string> {
  const app = express();
  const auth = new Authenticator({ tokens: new Map([[TOKEN, { user: 'admin', groups: ['system:masters'] }]]) });
  app.use('/dashboard', createDashboardRouter({ auth, log, ...deps }));
  app.use((_req, res) => void res.status(418).end());
  app.use(errorHandler(log));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });

let url = '';
beforeAll(async () => {
  const memq = new MemqHistory({ fetchStats: async () => [{ name: 'keygen', depth: 4, enqueued: 10, dequeued: 6, drained: 0 }], now: () => 42 });
  await memq.poll();
  url = await serve({ memq });
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

describe('dashboard router', () => {
  it('serves the shell without a token: no data in it, locked down by headers', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const r = await fetch(url + path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('cache-control')).toBe('no-store');
      const html = await r.text();
      expect(html).toContain('<script src="/dashboard/app.js" defer></script>');
      expect(html).not.toMatch(/<script>|style="/);
      expect(html).not.toContain('keygen');
    }
  });

  it('serves the bundled client with an ETag, and the stylesheet', async () => {
    const js = await fetch(`${url}/dashboard/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const body = await js.text();
    expect(body).toContain('kjobs.dashboard.token');
    expect(body).not.toMatch(/^import |require\(/m);
    const etag = js.headers.get('etag')!;
    expect((await fetch(`${url}/dashboard/app.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const css = await fetch(`${url}/dashboard/app.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
  });

  it('the session and MemQ endpoints need a token the API accepts', async () => {
    for (const init of [{}, bearer('wrong'), { headers: { Authorization: TOKEN } }]) {
      const r = await fetch(`${url}/dashboard/api/session`, init);
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      expect((await fetch(`${url}/dashboard/api/memq`, init)).status).toBe(401);
    }
    const s = await fetch(`${url}/dashboard/api/session`, bearer(TOKEN));
    expect(s.headers.get('cache-control')).toBe('no-store');
    expect(await s.json()).toEqual({ user: 'admin', groups: ['system:masters'], memq: true });
    expect(await (await fetch(`${url}/dashboard/api/memq`, bearer(TOKEN))).json()).toEqual({
      enabled: true, windowSeconds: 600, now: 42, updated: 42,
      queues: [{ name: 'keygen', depth: 4, enqueued: 10, dequeued: 6, drained: 0, history: [[42, 4]] }],
    });
  });

  it('paths it does not serve fall through to the API', async () => {
    expect((await fetch(`${url}/dashboard/other`)).status).toBe(418);
  });

  it('without MemQ the session says so and the endpoint reports it disabled', async () => {
    const plain = await serve({});
    expect(await (await fetch(`${plain}/dashboard/api/session`, bearer(TOKEN))).json()).toMatchObject({ memq: false });
    expect(await (await fetch(`${plain}/dashboard/api/memq`, bearer(TOKEN))).json()).toEqual({ enabled: false, queues: [] });
  });

  it('the session names where memq listens, for the MemQ panel\'s heading', async () => {
    const memq = new MemqHistory({ fetchStats: async () => [], now: () => 1 });
    const withUrl = await serve({ memq, memqUrl: 'http://127.0.0.1:8090' });
    expect(await (await fetch(`${withUrl}/dashboard/api/session`, bearer(TOKEN))).json()).toEqual({ user: 'admin', groups: ['system:masters'], memq: true, memqUrl: 'http://127.0.0.1:8090' });
  });

  it('a failed build is a 500 and is tried again on the next request', async () => {
    let calls = 0;
    const flaky = await serve({
      buildBundle: async () => {
        if (++calls === 1) throw new Error('esbuild exploded');
        return { js: 'ok()', etag: '"x"' };
      },
    });
    expect((await fetch(`${flaky}/dashboard/app.js`)).status).toBe(500);
    expect(await (await fetch(`${flaky}/dashboard/app.js`)).text()).toBe('ok()');
  });
});
