import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../testing/harness.js';
import { auditIdOf } from './app.js';

describe('request logs and Audit-Id', () => {
  let h: Harness;
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) {
    for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
    cb();
  } });

  beforeAll(async () => {
    h = await startHarness({ store: 'memory', log: pino({ level: 'info', base: { service: 'api-server' } }, sink) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.server.url}${path}`, { headers: { authorization: `Bearer ${h.token}`, ...headers } });

  it('answers every request with an Audit-Id and logs it at info with the verb, resource and user', async () => {
    const res = await get('/api/v1/namespaces/default/pods', { 'user-agent': 'audit-test' });
    expect(res.status).toBe(200);
    const id = res.headers.get('audit-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await until(() => lines.find((l) => l.auditId === id));
    expect(line).toMatchObject({ level: 30, msg: 'request', service: 'api-server', verb: 'list', resource: 'pods', user: 'admin', method: 'GET', uri: '/api/v1/namespaces/default/pods', status: 200, userAgent: 'audit-test' });
  });

  it('keeps the caller\'s Audit-ID, and logs refused requests too', async () => {
    const res = await fetch(`${h.server.url}/api/v1/namespaces/default/pods`, { headers: { 'Audit-ID': 'trace-42' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('audit-id')).toBe('trace-42');
    expect(await until(() => lines.find((l) => l.auditId === 'trace-42'))).toMatchObject({ status: 401 });
  });

  it('does not log health checks', async () => {
    const before = lines.length;
    expect((await get('/healthz')).status).toBe(200);
    const marker = await get('/version');
    await until(() => lines.find((l) => l.auditId === marker.headers.get('audit-id')));
    expect(lines.slice(before).map((l) => l.uri)).toEqual(['/version']);
  });

  it('takes only a sane Audit-ID from the caller', () => {
    expect(auditIdOf('abc-1.2:3_x')).toBe('abc-1.2:3_x');
    expect(auditIdOf(['first', 'second'])).toBe('first');
    expect(auditIdOf('has space')).toMatch(/^[0-9a-f-]{36}$/);
    expect(auditIdOf('x'.repeat(129))).toMatch(/^[0-9a-f-]{36}$/);
    expect(auditIdOf(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

async function until<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
