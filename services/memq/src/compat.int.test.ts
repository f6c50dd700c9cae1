import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { KUARD_MAIN } from '@kjobs/kuard/testing';
import { RedisBroker } from '@kjobs/memq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemqServer } from './server.js';
import { call, type Reply } from './testing/http.js';
import { freePort, start, waitFor, type Proc } from '../../../tests/support/test-process.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:memq-compat:${randomBytes(6).toString('hex')}:`;

let redis: Redis;
let service: Server;
let servicePort = 0;
let kuard: Proc;
let kuardPort = 0;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  service = createMemqServer({ broker: new RedisBroker({ redis, prefix }) });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  servicePort = (service.address() as AddressInfo).port;
  kuardPort = await freePort();
  kuard = start(process.execPath, ['--import', 'tsx', KUARD_MAIN, `--address=127.0.0.1:${kuardPort}`], { cwd: REPO });
  await waitFor(async () => (await call(kuardPort, 'GET', '/healthy')).status === 200, 30_000, 'kuard program');
});

afterAll(async () => {
  kuard?.kill();
  service?.closeAllConnections();
  await new Promise((resolve) => service?.close(resolve));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** The script: kuard's documented behaviours, in one order, against a fresh broker. */
const SCRIPT: [method: string, path: string, body?: string | Buffer][] = [
  ['GET', '/memq/server/stats'],
  ['PUT', '/memq/server/queues/keygen'],
  ['PUT', '/memq/server/queues/keygen'],
  ['POST', '/memq/server/queues/keygen/enqueue', 'work-item-0'],
  ['POST', '/memq/server/queues/keygen/enqueue', '<a&b> "quoted" \\ \n\t€ \u2028'],
  ['POST', '/memq/server/queues/keygen/enqueue', Buffer.from([0x6f, 0xff, 0xe2, 0x82, 0x41])],
  ['POST', '/memq/server/queues/keygen/enqueue'],
  ['GET', '/memq/server/stats'],
  ['POST', '/memq/server/queues/keygen/dequeue'],
  ['POST', '/memq/server/queues/keygen/dequeue'],
  ['POST', '/memq/server/queues/keygen/dequeue'],
  ['POST', '/memq/server/queues/keygen/dequeue'],
  ['POST', '/memq/server/queues/keygen/dequeue'],
  ['POST', '/memq/server/queues/keygen/enqueue?ignored=1', 'x'],
  ['POST', '/memq/server/queues/keygen/enqueue', 'y'],
  ['POST', '/memq/server/queues/keygen/drain'],
  ['POST', '/memq/server/queues/keygen/drain'],
  ['GET', '/memq/server/stats'],
  ['POST', '/memq/server/queues/nope/enqueue', 'x'],
  ['POST', '/memq/server/queues/nope/dequeue'],
  ['POST', '/memq/server/queues/nope/drain'],
  ['DELETE', '/memq/server/queues/nope'],
  ['POST', '/memq/server/queues//enqueue', 'x'],
  ['PUT', '/memq/server/queues/'],
  ['GET', '/memq/server/queues/keygen'],
  ['GET', '/memq/server/queues/keygen/dequeue'],
  ['OPTIONS', '/memq/server/queues/keygen'],
  ['OPTIONS', '/memq/server/nothing'],
  ['GET', '/memq/server/stats/?x=1'],
  ['PUT', '/memq/server/queues/other/'],
  ['POST', '/memq/server//queues/keygen/enqueue', 'z'],
  ['GET', '/MEMQ/server/Stats'],
  ['POST', '/memq/server/queues/keygen/peek'],
  ['GET', '/memq/server'],
  ['PUT', '/memq/server/queues/with%20space'],
  ['PUT', '/a/memq/server/queues/With%20space'],
  ['PUT', '/b/memq/server/queues/with%20space'],
  ['POST', '/c/memq/server/queues/with%20space/enqueue', 'shared'],
  ['GET', '/a/memq/server/stats'],
  ['POST', '/memq/server/queues/with%20space/dequeue?lease=30s'],
  ['POST', '/memq/server/queues/with%20space/dequeue?lease=soon'],
  ['GET', '/memq/server/stats?extended=1'],
  ['POST', '/memq/server/queues/with%20space/ack/0123456789abcdef0123456789abcdef'],
  ['DELETE', '/memq/server/queues/keygen'],
  ['DELETE', '/memq/server/queues/keygen'],
  ['HEAD', '/memq/server/stats'],
  ['GET', '/memq/server/stats'],
];

const HEADERS = ['content-type', 'cache-control', 'expires', 'pragma', 'x-content-type-options', 'allow', 'location', 'content-length'];

/** What must be equal: status, the headers that matter, the body with ids and timestamps normalized. */
function normalize(r: Reply): object {
  const headers: Record<string, unknown> = {};
  for (const h of HEADERS) if (r.headers[h] !== undefined) headers[h] = r.headers[h];
  const body = r.body
    .replace(/"(id|leaseId)":"[0-9a-f]{32}"/g, '"$1":"<id>"')
    .replace(/"(creationTimestamp|leaseExpiresAt)":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z"/g, '"$1":"<time>"');
  // Timestamps have a varying number of digits, so Content-Length of a message body may differ.
  if (/"creationTimestamp"/.test(r.body)) delete headers['content-length'];
  return { status: r.status, headers, body };
}

describe('services/memq (Redis) answers exactly like the kuard program (in memory)', () => {
  it('for one scripted sequence of requests', async () => {
    const fromService: object[] = [];
    const fromKuard: object[] = [];
    for (const [method, path, body] of SCRIPT) {
      fromService.push({ req: `${method} ${path}`, ...normalize(await call(servicePort, method, path, body)) });
      fromKuard.push({ req: `${method} ${path}`, ...normalize(await call(kuardPort, method, path, body)) });
    }
    expect(fromService).toEqual(fromKuard);
    // And the sequence really exercised what it claims to (guards against both being equally broken).
    const statuses = fromKuard.map((r) => (r as { status: number }).status);
    expect(new Set(statuses)).toEqual(new Set([200, 204, 301, 307, 400, 404, 405]));
    expect(fromKuard.at(-1)).toMatchObject({ body: '{"kind":"stats","queues":[{"name":"With space","depth":0,"enqueued":0,"dequeued":0,"drained":0},{"name":"with space","depth":0,"enqueued":1,"dequeued":1,"drained":0}]}\n' });
  });
});
