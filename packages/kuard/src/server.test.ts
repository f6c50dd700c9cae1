import type { Server } from 'node:http';
import { MemoryBroker } from '@kjobs/memq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyGenController } from './keygen-controller.js';
import { DebugProbe } from './probe.js';
import { createKuardServer } from './server.js';
import { call, close, listen } from './testing/http.js';

let server: Server;
let port = 0;
const logged: string[] = [];
const keygen = new KeyGenController({
  log: () => {},
  generateKey: async () => 'SHA256:fake',
  exit: () => {},
  now: Date.now,
  sleep: async () => {},
  dequeuer: () => ({ dequeue: async () => ({ kind: 'empty' }) }),
});

beforeAll(async () => {
  server = createKuardServer({
    broker: new MemoryBroker(),
    keygen,
    liveness: new DebugProbe(1),
    readiness: new DebugProbe(0),
    log: (l) => logged.push(l),
    commandLine: ['/kuard', '--keygen-enable'],
    env: { HOSTNAME: 'pod-1', 'A<B': 'x&y' },
    version: 'test',
  });
  port = await listen(server);
});

afterAll(async () => {
  await close(server);
});

describe('kuard HTTP server', () => {
  it('liveness: fail-next from the flag, then ok, text/plain', async () => {
    expect(await call(port, 'GET', '/healthy')).toMatchObject({ status: 500, body: 'fail, 0 left', headers: { 'content-type': 'text/plain' } });
    expect(await call(port, 'GET', '/healthy')).toMatchObject({ status: 200, body: 'ok' });
  });

  it('readiness API: PUT {"failNext":N} then GET shows it; history newest first', async () => {
    const put = await call(port, 'PUT', '/ready/api', '{"failNext":2}');
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({ probePath: '', failNext: 2 });
    expect((await call(port, 'GET', '/ready')).body).toBe('fail, 1 left');
    const api = JSON.parse((await call(port, 'GET', '/a/ready/api')).body) as { failNext: number; history: { id: number; code: number }[] };
    expect(api.failNext).toBe(1);
    expect(api.history[0]).toMatchObject({ id: 1, code: 500 });
    expect((await call(port, 'PUT', '/ready/api', 'nope')).status).toBe(400);
    expect((await call(port, 'PUT', '/ready/api', '')).body).toBe('EOF\n');
  });

  it('env API: command line and environment, Go-escaped, keys sorted', async () => {
    const r = await call(port, 'GET', '/env/api');
    expect(r.body).toBe('{"commandLine":["/kuard","--keygen-enable"],"env":{"A\\u003cB":"x\\u0026y","HOSTNAME":"pod-1"}}\n');
    expect(r.headers['cache-control']).toBe('no-cache, private, max-age=0');
  });

  it('keygen API: PUT restarts with the given config, GET shows config and history', async () => {
    const put = await call(port, 'PUT', '/keygen', '{"enable":true,"numToGen":2}');
    expect(JSON.parse(put.body).config).toEqual({ enable: true, numToGen: 2, timeToRun: 0, memQServer: '', memQQueue: '', exitOnComplete: false, exitCode: 0 });
    await expect.poll(async () => JSON.parse((await call(port, 'GET', '/keygen')).body).history.map((h: { data: string }) => h.data)).toEqual([
      '(ID 0) Workload starting',
      '(ID 0 1/2) Item done: SHA256:fake',
      '(ID 0 2/2) Item done: SHA256:fake',
      '(ID 0) Workload exiting',
    ]);
    expect((await call(port, 'PUT', '/keygen', '{"numToGen":"x"}')).body).toBe('json: cannot unmarshal string into Go struct field Config.numToGen of type int\n');
  });

  it('serves the MemQ server under every prefix, sharing one broker', async () => {
    expect((await call(port, 'PUT', '/b/memq/server/queues/keygen')).status).toBe(200);
    await call(port, 'POST', '/memq/server/queues/keygen/enqueue', 'work-item-0');
    expect((await call(port, 'GET', '/c/memq/server/stats')).body).toBe('{"kind":"stats","queues":[{"name":"keygen","depth":1,"enqueued":1,"dequeued":0,"drained":0}]}\n');
  });

  it('serves the page at / and /-/memq with the MemQ view, 404 elsewhere', async () => {
    for (const path of ['/', '/-/memq', '/a/']) {
      const r = await call(port, 'GET', path);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('MemQ Server');
      expect(r.body).toContain('There are no queues created');
    }
    expect(await call(port, 'GET', '/static/css/styles.css')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(await call(port, 'GET', '/fs/etc/passwd')).toMatchObject({ status: 404 });
    expect(await call(port, 'POST', '/dns/api', '{"type":"BOGUS","name":"x"}')).toMatchObject({ status: 400, body: 'Unknown DNS type: BOGUS\n' });
    expect(await call(port, 'GET', '/healthy/')).toMatchObject({ status: 301, headers: { location: '/healthy' } });
  });

  it('logs every request like kuard and exports request_duration_seconds', async () => {
    await call(port, 'GET', '/env/api?x=1');
    expect(logged.some((l) => /^127\.0\.0\.1:\d+ GET \/env\/api\?x=1$/.test(l))).toBe(true);
    const m = await call(port, 'GET', '/metrics');
    expect(m.body).toContain('request_duration_seconds_count{method="GET",route="/env/api",status_code="200"}');
  });
});
