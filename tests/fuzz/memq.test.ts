/**
 * The memq service against hostile input (issue 8, part 4): generated requests that are each
 * invalid — queues that do not exist (traversal, NUL, %-escapes, unicode, 8k-char names), bad
 * lease durations and forged lease ids on the one queue that exists, a second create, oversized
 * items, wrong methods, unclean paths, junk parameters, malformed HTTP — over raw HTTP.
 *
 * Asserted: never ≥ 500; every error is kuard's plain-text `http.Error` (text/plain, nosniff, a
 * message line); no hostile write succeeds; Redis holds exactly what it held before (same keys,
 * same queue stats); /healthz still answers.
 *
 * `FUZZ_SEED` replays a run; `FUZZ_SCALE` multiplies the request counts.
 */
import { randomBytes } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RedisBroker } from '@kjobs/memq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemqServer } from '@kjobs/memq-server/testing';
import { countKeys, deleteKeys } from './api-fixture.js';
import { memqAnswerProblem } from './check.js';
import { EXISTING_QUEUE, hostileMemqRequest, oversizedMemqRequest } from './memq-arbitraries.js';
import { FuzzStats, pool, send } from './raw-http.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const BATCH = 16;
const CONCURRENCY = 8;
const RUNS = Math.ceil((3_200 * SCALE) / BATCH);
const OVERSIZED = Math.ceil(4 * SCALE);
/** The service's default item limit (MEMQ_MAX_BODY_BYTES). */
const MAX_BODY = 16 * 1024 * 1024;

const prefix = `fuzz-memq-${randomBytes(5).toString('hex')}:`;
let redis: Redis;
let server: Server;
let port: number;
let agent: http.Agent;
let keys0: number;
let stats0: string;
const stats = new FuzzStats();

async function queueStats(): Promise<string> {
  const r = await send(port, agent, { kind: 'stats', method: 'GET', path: '/memq/server/stats?extended=1' });
  return r.body.toString('utf8');
}

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  server = createMemqServer({ broker: new RedisBroker({ redis, prefix }), maxBodyBytes: MAX_BODY, health: async () => void (await redis.ping()) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  expect((await send(port, agent, { kind: 'setup', method: 'PUT', path: `/memq/server/queues/${EXISTING_QUEUE}` })).status).toBe(200);
  expect((await send(port, agent, { kind: 'setup', method: 'POST', path: `/memq/server/queues/${EXISTING_QUEUE}/enqueue`, body: 'the one item' })).status).toBe(200);
  keys0 = await countKeys(redis, `${prefix}*`);
  stats0 = await queueStats();
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
});

afterAll(async () => {
  agent?.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await deleteKeys(redis, `${prefix}*`);
  redis?.disconnect();
});

async function expectNothingStored(): Promise<void> {
  expect(await countKeys(redis, `${prefix}*`), 'Redis keys of the memq prefix changed').toBe(keys0);
  expect(await queueStats(), 'queue stats changed').toBe(stats0);
}

describe('memq: hostile requests', () => {
  it(`answers ${RUNS * BATCH} hostile requests with kuard's plain-text errors, and stores nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileMemqRequest(), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await pool(batch, CONCURRENCY, (r) => send(port, agent, r));
        const problems: string[] = [];
        batch.forEach((r, i) => {
          stats.record(r, answers[i]!);
          const p = memqAnswerProblem(r, answers[i]!);
          if (p) problems.push(p);
        });
        expect(problems).toEqual([]);
        await expectNothingStored();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it(`refuses ${OVERSIZED} items over the ${MAX_BODY}-byte limit with 413`, async () => {
    const reqs = fc.sample(oversizedMemqRequest(MAX_BODY), { numRuns: OVERSIZED, seed: SEED });
    const answers = await pool(reqs, 2, (r) => send(port, agent, r));
    reqs.forEach((r, i) => stats.record(r, answers[i]!));
    expect(reqs.map((r, i) => memqAnswerProblem(r, answers[i]!)).filter(Boolean)).toEqual([]);
    expect(answers.map((a) => `${a.status} ${a.body.toString()}`)).toEqual(answers.map(() => '413 http: request body too large\n'));
    await expectNothingStored();
  }, 120_000);

  it('is still up and its queue still works afterwards', async () => {
    expect((await send(port, agent, { kind: 'healthz', method: 'GET', path: '/healthz' })).status).toBe(200);
    const item = await send(port, agent, { kind: 'check', method: 'POST', path: `/memq/server/queues/${EXISTING_QUEUE}/dequeue` });
    expect(item.status).toBe(200);
    expect(JSON.parse(item.body.toString()).body).toBe('the one item');
    console.log(stats.summary('memq'));
    expect(stats.count).toBeGreaterThanOrEqual(Math.floor(3_200 * SCALE));
  });
});
