// httpGet against real loopback servers: redirects are followed, and the Authorization header goes
// only to the origin it was meant for.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './http-get.js';

let a: Server;
let b: Server;
let aUrl: string;
let bUrl: string;

async function listen(handler: (req: IncomingMessage, url: URL) => { status: number; location?: string; body?: string }): Promise<[Server, string]> {
  const server = createServer((req, res) => {
    const out = handler(req, new URL(req.url ?? '/', 'http://x'));
    res.writeHead(out.status, out.location ? { location: out.location } : {});
    res.end(out.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return [server, `http://127.0.0.1:${address.port}`];
}

const bodyOf = async (res: IncomingMessage): Promise<string> => {
  let s = '';
  for await (const c of res) s += String(c);
  return s;
};

beforeAll(async () => {
  [b, bUrl] = await listen((req) => ({ status: 200, body: `b saw ${req.headers.authorization ?? 'no authorization'}` }));
  [a, aUrl] = await listen((req, url) => {
    if (url.pathname === '/elsewhere') return { status: 307, location: `${bUrl}/data` };
    if (url.pathname === '/here') return { status: 302, location: '/data' };
    if (url.pathname === '/loop') return { status: 301, location: '/loop' };
    return { status: url.pathname === '/data' ? 200 : 404, body: `a saw ${req.headers.authorization ?? 'no authorization'}` };
  });
});
afterAll(async () => {
  await Promise.all([a, b].map((s) => new Promise((resolve) => s?.close(resolve))));
});

describe('httpGet', () => {
  const auth = { authorization: 'Bearer t0ken' };

  it('keeps the authorization on a redirect within the origin', async () => {
    const res = await httpGet(new URL(`${aUrl}/here`), auth);
    expect(res.statusCode).toBe(200);
    expect(await bodyOf(res)).toBe('a saw Bearer t0ken');
  });

  it('drops the authorization when a redirect leaves the origin', async () => {
    const res = await httpGet(new URL(`${aUrl}/elsewhere`), auth);
    expect(res.statusCode).toBe(200);
    expect(await bodyOf(res)).toBe('b saw no authorization');
  });

  it('resolves with other statuses as they are, and refuses a redirect loop', async () => {
    const res = await httpGet(new URL(`${aUrl}/missing`), auth);
    expect(res.statusCode).toBe(404);
    res.resume();
    await expect(httpGet(new URL(`${aUrl}/loop`), {})).rejects.toThrow('redirect count exceeded');
  });

  it('rejects on a refused connection and on an aborted signal', async () => {
    const closed = await listen(() => ({ status: 200 }));
    await new Promise((resolve) => closed[0].close(resolve));
    await expect(httpGet(new URL(`${closed[1]}/x`), {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(httpGet(new URL(`${aUrl}/data`), {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
