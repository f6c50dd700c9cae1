import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBroker } from '../memory/memory-broker.js';
import { createMemqHandler } from './handler.js';
import { call as httpCall, close, listen, type Reply } from '../testing/http.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer(createMemqHandler(new MemoryBroker()));
  port = await listen(server);
});

afterAll(async () => {
  await close(server);
});

const call = (method: string, path: string, body?: string | Buffer): Promise<Reply> => httpCall(port, method, path, body);

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-cache, private, max-age=0',
  expires: 'Thu, 01 Jan 1970 00:00:00 UTC',
  pragma: 'no-cache',
};
const ERROR_HEADERS = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

// Every expectation below is a behaviour the reference marks [verified] on a real kuard binary.
describe('kuard MemQ HTTP API, byte for byte', () => {
  it('stats on a fresh server: [] with the JSON no-cache headers and a trailing newline', async () => {
    const r = await call('GET', '/memq/server/stats');
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"kind":"stats","queues":[]}\n');
    expect(r.headers).toMatchObject({ ...JSON_HEADERS, 'content-length': String(r.body.length) });
  });

  it('create: 200, empty body, no Content-Type; again: 400 already exists', async () => {
    const r = await call('PUT', '/memq/server/queues/keygen');
    expect(r).toMatchObject({ status: 200, body: '' });
    expect(r.headers['content-length']).toBe('0');
    expect(r.headers['content-type']).toBeUndefined();
    const again = await call('PUT', '/memq/server/queues/keygen');
    expect(again).toMatchObject({ status: 400, body: 'already exists\n', headers: ERROR_HEADERS });
  });

  it('enqueue returns the message; dequeue returns the same bytes; empty queue is 204 with nothing', async () => {
    await call('PUT', '/memq/server/queues/e1');
    const enq = await call('POST', '/memq/server/queues/e1/enqueue', '<a&b>');
    expect(enq.status).toBe(200);
    expect(enq.headers).toMatchObject(JSON_HEADERS);
    expect(enq.body).toMatch(/^\{"kind":"message","id":"[0-9a-f]{32}","body":"\\u003ca\\u0026b\\u003e","creationTimestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z"\}\n$/);
    const deq = await call('POST', '/memq/server/queues/e1/dequeue');
    expect(deq.status).toBe(200);
    expect(deq.body).toBe(enq.body);
    const empty = await call('POST', '/memq/server/queues/e1/dequeue');
    expect(empty.status).toBe(204);
    expect(empty.body).toBe('');
    expect(empty.headers['content-type']).toBeUndefined();
    expect(empty.headers['cache-control']).toBeUndefined();
  });

  it('empty body and invalid UTF-8 bodies', async () => {
    await call('PUT', '/memq/server/queues/e2');
    expect((await call('POST', '/memq/server/queues/e2/enqueue')).body).toContain('"body":""');
    expect((await call('POST', '/memq/server/queues/e2/enqueue?ignored=1', Buffer.from([0x6f, 0x6b, 0xff]))).body).toContain('"body":"ok\\ufffd"');
  });

  it.each([
    ['POST', '/memq/server/queues/nope/enqueue'],
    ['POST', '/memq/server/queues/nope/dequeue'],
    ['POST', '/memq/server/queues/nope/drain'],
    ['DELETE', '/memq/server/queues/nope'],
  ])('%s %s on an unknown queue → 400 does not exist', async (method, path) => {
    expect(await call(method, path, 'x')).toMatchObject({ status: 400, body: 'does not exist\n', headers: ERROR_HEADERS });
  });

  it('an empty name segment → 400 empty name; PUT /queues/ → 404', async () => {
    expect(await call('POST', '/memq/server/queues//enqueue', 'x')).toMatchObject({ status: 400, body: 'empty name\n', headers: ERROR_HEADERS });
    expect(await call('PUT', '/memq/server/queues/')).toMatchObject({ status: 404, body: '404 page not found\n', headers: ERROR_HEADERS });
  });

  it('wrong method → 405 with Allow; OPTIONS → 200 with Allow', async () => {
    const r = await call('GET', '/memq/server/queues/keygen');
    expect(r).toMatchObject({ status: 405, body: 'Method Not Allowed\n', headers: { ...ERROR_HEADERS, allow: 'DELETE, OPTIONS, PUT' } });
    expect(await call('GET', '/memq/server/queues/keygen/enqueue')).toMatchObject({ status: 405, headers: { allow: 'OPTIONS, POST' } });
    const o = await call('OPTIONS', '/memq/server/queues/keygen');
    expect(o).toMatchObject({ status: 200, body: '', headers: { allow: 'DELETE, OPTIONS, PUT', 'content-length': '0' } });
  });

  it('trailing slash: 301 for GET (with the HTML body), 307 otherwise; query kept', async () => {
    const g = await call('GET', '/memq/server/stats/?x=1');
    expect(g.status).toBe(301);
    expect(g.headers.location).toBe('/memq/server/stats?x=1');
    expect(g.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(g.body).toBe('<a href="/memq/server/stats?x=1">Moved Permanently</a>.\n\n');
    const p = await call('PUT', '/memq/server/queues/keygen/');
    expect(p.status).toBe(307);
    expect(p.headers.location).toBe('/memq/server/queues/keygen');
    expect(p.body).toBe('');
  });

  it('unclean or wrong-case paths are redirected to the route', async () => {
    expect((await call('POST', '/memq/server//queues/keygen/enqueue')).headers.location).toBe('/memq/server/queues/keygen/enqueue');
    expect(await call('GET', '/MEMQ/Server/STATS')).toMatchObject({ status: 301, headers: { location: '/memq/server/stats' } });
    expect((await call('POST', '/memq/server/queues/Keygen/../keygen/drain')).headers.location).toBe('/memq/server/queues/keygen/drain');
  });

  it('unknown paths → 404 page not found', async () => {
    expect(await call('GET', '/memq/server/queues')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(await call('POST', '/memq/server/queues/keygen/peek')).toMatchObject({ status: 404 });
    expect(await call('GET', '/nothing')).toMatchObject({ status: 404 });
  });

  it('names are URL-decoded single segments, case-sensitive; /a /b /c share one broker', async () => {
    expect((await call('PUT', '/memq/server/queues/with%20space')).status).toBe(200);
    expect((await call('PUT', '/a/memq/server/queues/With%20space')).status).toBe(200);
    expect((await call('PUT', '/b/memq/server/queues/with%20space')).body).toBe('already exists\n');
    const stats = JSON.parse((await call('GET', '/c/memq/server/stats')).body) as { queues: { name: string }[] };
    expect(stats.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['with space', 'With space']));
  });

  it('the test-memqserver.sh sequence: 3 enqueued, 3 dequeued, 3 more drained', async () => {
    const q = '/memq/server/queues/work';
    expect((await call('PUT', q)).status).toBe(200);
    for (const m of ['message 1', 'message 2', 'message 3']) await call('POST', `${q}/enqueue`, m);
    for (let i = 1; i <= 3; i++) expect(JSON.parse((await call('POST', `${q}/dequeue`)).body).body).toBe(`message ${i}`);
    for (const m of ['message 1', 'message 2', 'message 3']) await call('POST', `${q}/enqueue`, m);
    expect((await call('POST', `${q}/drain`)).status).toBe(200);
    const stats = JSON.parse((await call('GET', '/memq/server/stats')).body) as { queues: { name: string }[] };
    expect(stats.queues.find((s) => s.name === 'work')).toEqual({ name: 'work', depth: 0, enqueued: 6, dequeued: 3, drained: 3 });
    expect((await call('DELETE', q)).status).toBe(200);
  });
});

describe('the kjobs lease extension over HTTP', () => {
  it('dequeue?lease= adds leaseId and leaseExpiresAt; ack settles; stats?extended=1 counts', async () => {
    const q = '/memq/server/queues/leased';
    await call('PUT', q);
    const enq = await call('POST', `${q}/enqueue`, 'job');
    const r = await call('POST', `${q}/dequeue?lease=30s`);
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject(JSON_HEADERS);
    const m = JSON.parse(r.body) as { id: string; leaseId: string; leaseExpiresAt: string };
    expect(r.body.startsWith(enq.body.slice(0, -2) + ',"leaseId":"')).toBe(true);
    expect(m.leaseId).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(m.leaseExpiresAt)).toBeGreaterThan(Date.now() + 25_000);
    const ext = JSON.parse((await call('GET', '/memq/server/stats?extended=1')).body) as { queues: object[] };
    expect(ext.queues).toContainEqual({ name: 'leased', depth: 0, enqueued: 1, dequeued: 1, drained: 0, inFlight: 1, redelivered: 0 });
    const plain = JSON.parse((await call('GET', '/memq/server/stats')).body) as { queues: object[] };
    expect(plain.queues).toContainEqual({ name: 'leased', depth: 0, enqueued: 1, dequeued: 1, drained: 0 });
    expect(await call('POST', `${q}/ack/${m.leaseId}`)).toMatchObject({ status: 200, body: '' });
    expect(await call('POST', `${q}/ack/${m.leaseId}`)).toMatchObject({ status: 400, body: 'lease not found\n', headers: ERROR_HEADERS });
    expect((await call('POST', `${q}/dequeue?lease=30s`)).status).toBe(204);
  });

  it('rejects a bad lease duration and leases on unknown queues like kuard errors', async () => {
    await call('PUT', '/memq/server/queues/bad');
    expect(await call('POST', '/memq/server/queues/bad/dequeue?lease=soon')).toMatchObject({ status: 400, body: 'invalid lease duration "soon"\n' });
    expect(await call('POST', '/memq/server/queues/none/dequeue?lease=1s')).toMatchObject({ status: 400, body: 'does not exist\n' });
    expect(await call('POST', '/memq/server/queues/none/ack/abc')).toMatchObject({ status: 400, body: 'does not exist\n' });
  });
});

describe('body size limit option', () => {
  it('answers 413 past maxBodyBytes', async () => {
    const s = createServer(createMemqHandler(new MemoryBroker(), { maxBodyBytes: 4 }));
    const limited = await listen(s);
    try {
      await httpCall(limited, 'PUT', '/memq/server/queues/q');
      expect((await httpCall(limited, 'POST', '/memq/server/queues/q/enqueue', '1234')).status).toBe(200);
      expect(await httpCall(limited, 'POST', '/memq/server/queues/q/enqueue', '12345')).toMatchObject({ status: 413, body: 'http: request body too large\n' });
    } finally {
      await close(s);
    }
  });
});
