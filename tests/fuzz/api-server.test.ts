/**
 * The api-server against hostile input (issue 8, part 4): thousands of generated requests that
 * are each invalid — broken JSON and YAML, YAML alias bombs, 10k–100k deep nesting, huge labels
 * and annotations, invalid selectors, path traversal in names and namespaces, wrong content
 * types, protobuf garbage, oversized bodies, unicode and NUL bytes, wrong methods, random query
 * parameters, bad tokens, identities out of their scope — over raw HTTP and over the NATS API.
 *
 * Asserted for every answer: never ≥ 500, every error a Kubernetes `Status` with a reason and a
 * message, no hostile write succeeds; after each batch the store's revision has not moved (no
 * write happened at all); at the end the key count is unchanged and /healthz still answers.
 *
 * `FUZZ_SEED` replays a run; `FUZZ_SCALE` multiplies the request counts.
 */
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileApiRequest, oversizedApiRequest } from './api-arbitraries.js';
import { startFuzzApi, type FuzzApi } from './api-fixture.js';
import { apiAnswerProblem, statusProblem } from './check.js';
import { hostileNatsRequest, type NatsProbe } from './nats-arbitraries.js';
import { FuzzStats, pool, send } from './raw-http.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const BATCH = 16;
const CONCURRENCY = 16;
const HTTP_RUNS = Math.ceil((5_600 * SCALE) / BATCH);
const OVERSIZED = Math.ceil(24 * SCALE);
const NATS_RUNS = Math.ceil((1_600 * SCALE) / BATCH);
const NATS_MAX_PAYLOAD = 1024 * 1024 - 1024;

let api: FuzzApi;
let agent: http.Agent;
let rev0: string;
let keys0: number;
const totals = { http: new FuzzStats(), nats: new FuzzStats() };

beforeAll(async () => {
  api = await startFuzzApi();
  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  rev0 = await api.revision();
  keys0 = await api.keyCount();
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
});

afterAll(async () => {
  agent?.destroy();
  await api?.stop();
});

async function expectNothingStored(): Promise<void> {
  expect(await api.revision(), 'the store revision moved: something was written').toBe(rev0);
}

describe('api-server: deep documents before anything else', () => {
  // Regression: with no YAML parsed yet, a deep YAML body overflowed the parser's stack while V8
  // compiled a regular expression, and the process aborted ("RegExpCompiler Allocation failed").
  // So these go first, to a server that has decoded nothing.
  it('refuses YAML and JSON nested past 100 levels with a 400 Status and stays up', async () => {
    const shapes: [string, string][] = [];
    for (const d of [1_000, 3_000, 100_000]) {
      shapes.push(['application/yaml', '{"a":'.repeat(d) + '1' + '}'.repeat(d)], ['application/yaml', '['.repeat(d) + ']'.repeat(d)]);
      shapes.push(['application/apply-patch+yaml', '- '.repeat(d) + 'x\n'], ['application/json', '{"a":'.repeat(d) + '1' + '}'.repeat(d)]);
    }
    shapes.push(['application/yaml', Array.from({ length: 1_500 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n']);
    for (const [ct, body] of shapes) {
      const r = { kind: 'deep-first', method: ct.includes('apply') ? 'PATCH' : 'POST', path: ct.includes('apply') ? '/api/v1/namespaces/default' : '/api/v1/namespaces/default/pods', headers: { authorization: `Bearer ${api.tokens.admin}`, 'content-type': ct }, body };
      const res = await send(api.port, agent, r);
      totals.http.record(r, res);
      expect(apiAnswerProblem(r, res)).toBeUndefined();
      if (ct === 'application/apply-patch+yaml') {
        // A patch type kjobs does not take (server-side apply) is refused by its media type
        // before the body is read, as kube-apiserver refuses any type it does not take.
        expect(res.status).toBe(415);
        continue;
      }
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body.toString()).message).toBe('the request body is nested more than 100 levels deep');
    }
    expect((await send(api.port, agent, { kind: 'healthz', method: 'GET', path: '/healthz' })).status).toBe(200);
    await expectNothingStored();
  }, 60_000);
});

describe('api-server: hostile HTTP requests', () => {
  it(`answers ${HTTP_RUNS * BATCH} hostile requests with a 4xx Status each, and stores nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileApiRequest(api.tokens), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await pool(batch, CONCURRENCY, (r) => send(api.port, agent, r));
        const problems: string[] = [];
        batch.forEach((r, i) => {
          totals.http.record(r, answers[i]!);
          const p = apiAnswerProblem(r, answers[i]!);
          if (p) problems.push(p);
        });
        expect(problems).toEqual([]);
        await expectNothingStored();
      }),
      // A failure means the server is in a new state (or broken): report it, do not shrink against it.
      { numRuns: HTTP_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 180_000);

  it(`refuses ${OVERSIZED} oversized bodies (4–6 MiB) with 413`, async () => {
    const reqs = fc.sample(oversizedApiRequest(api.tokens), { numRuns: OVERSIZED, seed: SEED });
    const answers = await pool(reqs, 4, (r) => send(api.port, agent, r));
    reqs.forEach((r, i) => totals.http.record(r, answers[i]!));
    const problems = reqs.map((r, i) => apiAnswerProblem(r, answers[i]!)).filter(Boolean);
    expect(problems).toEqual([]);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 413));
    await expectNothingStored();
  }, 120_000);
});

describe('api-server: hostile NATS API requests', () => {
  it(`answers ${NATS_RUNS * BATCH} hostile NATS requests with a failure Status (or a read), and stores nothing`, async () => {
    const subject = `${api.prefix}.api`;
    const dec = new TextDecoder();
    const probe = hostileNatsRequest(api.tokens).filter((p) => p.data.length <= NATS_MAX_PAYLOAD);
    await fc.assert(
      fc.asyncProperty(fc.array(probe, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const problems: string[] = [];
        await pool(batch, CONCURRENCY, async (p: NatsProbe) => {
          const start = process.hrtime.bigint();
          let reply: { ok?: boolean; status?: { code?: number } } | undefined;
          let error: string | undefined;
          try {
            const m = await api.nc.request(subject, p.data, { timeout: 15_000 });
            reply = JSON.parse(dec.decode(m.data));
          } catch (e) {
            error = (e as Error).message;
          }
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          const code = reply?.ok ? 200 : reply?.status?.code ?? 0;
          const shown = `${p.kind} ${dec.decode(p.data.subarray(0, 160))}`;
          totals.nats.record({ kind: p.kind, method: 'NATS', path: shown }, { status: code, headers: {}, body: Buffer.alloc(0), ms });
          if (!reply) problems.push(`no reply (${error}): ${shown}`);
          else if (reply.ok) {
            if (p.write) problems.push(`a hostile write succeeded: ${shown}`);
          } else {
            const sp = statusProblem(reply.status, code);
            if (code >= 500 || sp) problems.push(`${sp ?? `server error ${code}`}: ${shown} → ${JSON.stringify(reply.status).slice(0, 200)}`);
          }
        });
        expect(problems).toEqual([]);
        await expectNothingStored();
      }),
      { numRuns: NATS_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 180_000);
});

describe('api-server: after the fuzz', () => {
  it('is still up, still serves, and holds exactly the keys it started with', async () => {
    const health = await send(api.port, agent, { kind: 'healthz', method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    const list = await send(api.port, agent, { kind: 'list', method: 'GET', path: '/api/v1/namespaces', headers: { authorization: `Bearer ${api.tokens.admin}` } });
    expect(list.status).toBe(200);
    expect((JSON.parse(list.body.toString()) as { items: unknown[] }).items).toHaveLength(4);
    await expectNothingStored();
    expect(await api.keyCount()).toBe(keys0);
    for (const [name, s] of Object.entries(totals)) console.log(s.summary(`api-server ${name}`));
    expect(totals.http.count + totals.nats.count).toBeGreaterThanOrEqual(Math.floor(7_200 * SCALE));
  });
});
