import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { ApiError, resourceForKind, type KList, type Pod } from '@kjobs/api';
import { RedisStore, type ListReadAhead } from '@kjobs/store';
import { startHarness, type Harness } from './testing/harness.js';

// Paged lists with the store's read-ahead on (RedisStoreOptions.listReadAhead, the api-server's
// KJOBS_LIST_READAHEAD): every page answered equals what a store without it reads at that time.

const PODS = resourceForKind('Pod')!;
const NS = 'readahead';
const COUNT = 40;
const LIMIT = 6;
let h: Harness;
let redis: Redis;
/** The same keys read without read-ahead: what a fresh read gives. */
let fresh: RedisStore;
let ahead: ListReadAhead;

const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

beforeAll(async () => {
  h = await startHarness({ listReadAhead: { pages: 4, bytes: 1024 * 1024, ttlMs: 60_000, staleBackoffMs: 0 } });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  fresh = new RedisStore({ redis, prefix: h.prefix });
  ahead = (h.store as RedisStore).readAhead!;
  await h.http.create('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (let i = 0; i < COUNT; i++) await h.nats.create('Pod', pod(`p-${String(i).padStart(2, '0')}`, { parity: i % 2 ? 'odd' : 'even' }));
});
afterAll(async () => {
  await fresh?.close();
  redis?.disconnect();
  await h?.stop();
});

/** Until the page read ahead for the last answer is read (it holds bytes then). */
const readAheadDone = () => vi.waitFor(() => expect(ahead.size.bytes).toBeGreaterThan(0), { timeout: 10_000, interval: 5 });

async function expectApiError(p: Promise<unknown>, code: number): Promise<ApiError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApiError);
  expect((e as ApiError).code).toBe(code);
  return e as ApiError;
}

describe('list read-ahead', () => {
  for (const via of ['http', 'nats'] as const) {
    it(`over ${via.toUpperCase()}: every page, served from the read-ahead, equals a fresh read of the same request`, async () => {
      const served0 = ahead.counts.served;
      const labelSelector = 'parity=even';
      let cont: string | undefined;
      const names: string[] = [];
      let pages = 0;
      do {
        if (cont) await readAheadDone();
        const opts = { namespace: NS, limit: LIMIT, labelSelector, ...(cont ? { continue: cont } : {}) };
        // The fresh read goes first: the read-ahead's page must still equal it (no write in between).
        const want = await fresh.list(PODS, { namespace: NS, limit: LIMIT, labelSelector: [{ key: 'parity', operator: '=', values: ['even'] }], ...(cont ? { continue: cont } : {}) });
        const got: KList = await h[via].list<Pod>('Pod', opts);
        expect(got.metadata.resourceVersion).toBe(want.resourceVersion);
        expect(got.metadata.continue).toBe(want.continue);
        expect(got.items).toEqual(want.items);
        names.push(...got.items.map((p) => p.metadata!.name!));
        cont = got.metadata.continue || undefined;
        pages++;
      } while (cont);
      expect(names).toEqual(Array.from({ length: COUNT / 2 }, (_, i) => `p-${String(i * 2).padStart(2, '0')}`));
      expect(pages).toBe(Math.ceil(COUNT / 2 / LIMIT));
      expect(ahead.counts.served - served0).toBe(pages - 1);
      expect(ahead.size).toEqual({ pages: 0, bytes: 0 });
    });
  }

  it('a write to the kind after the page was read ahead: the page is read afresh and shows the write', async () => {
    const stale0 = ahead.counts.stale;
    const first = await h.http.list<Pod>('Pod', { namespace: NS, limit: LIMIT });
    await readAheadDone();
    // p-08 is on the second page: relabel it, and add a pod that sorts into that page.
    const p8 = await h.http.get<Pod>('Pod', NS, 'p-08');
    await h.http.update('Pod', { ...p8, metadata: { ...p8.metadata, labels: { parity: 'changed' } } });
    await h.nats.create('Pod', pod('p-07a'));
    const want = await fresh.list(PODS, { namespace: NS, limit: LIMIT, continue: first.metadata.continue! });
    const second = await h.http.list<Pod>('Pod', { namespace: NS, limit: LIMIT, continue: first.metadata.continue! });
    expect(ahead.counts.stale - stale0).toBe(1);
    expect(second.items).toEqual(want.items);
    expect(second.items.map((p) => p.metadata!.name)).toContain('p-07a');
    expect(second.items.find((p) => p.metadata!.name === 'p-08')!.metadata!.labels).toEqual({ parity: 'changed' });
    await h.http.delete('Pod', NS, 'p-07a');
    ahead.clear(); // the third page, read ahead of a list this test leaves
  });

  it('a token below the watch floor is 410 even with its page read ahead; a malformed one is 410 and reads nothing ahead', async () => {
    const first = await h.nats.list<Pod>('Pod', { namespace: NS, limit: LIMIT });
    await readAheadDone();
    const stale0 = ahead.counts.stale;
    const floor = await redis.get(fresh.keys.floor());
    // What a Redis restart does to old tokens (RedisStore.init): the floor rises past their revision.
    await redis.set(fresh.keys.floor(), String(BigInt(first.metadata.resourceVersion!) + 1n));
    try {
      const e = await expectApiError(h.http.list('Pod', { namespace: NS, limit: LIMIT, continue: first.metadata.continue! }), 410);
      expect(e.message).toMatch(/too old/);
      expect(ahead.counts.stale - stale0).toBe(1);
    } finally {
      await redis.set(fresh.keys.floor(), floor!);
    }
    const started0 = ahead.counts.started;
    await expectApiError(h.http.list('Pod', { namespace: NS, limit: LIMIT, continue: 'not-a-token!' }), 410);
    expect(ahead.counts.started).toBe(started0);
    expect(ahead.size).toEqual({ pages: 0, bytes: 0 });
  });

  it('holds at most its page bound: more lists at once than pages read ahead are answered afresh', async () => {
    const firsts = await Promise.all(Array.from({ length: 6 }, () => h.http.list<Pod>('Pod', { namespace: NS, limit: LIMIT })));
    // All six answer the same first page, so they name one next page: one read ahead.
    expect(ahead.size.pages).toBe(1);
    const selectors = ['p-00', 'p-01', 'p-02', 'p-03', 'p-04', 'p-05'].map((n) => `metadata.name!=${n}`);
    const dropped0 = ahead.counts.dropped;
    const more = await Promise.all(selectors.map((fieldSelector) => h.http.list<Pod>('Pod', { namespace: NS, limit: LIMIT, fieldSelector })));
    expect(ahead.size.pages).toBe(4);
    expect(ahead.counts.dropped - dropped0).toBe(3);
    // The lists go on, from the read-ahead or afresh, and each is whole.
    for (const [i, fieldSelector] of selectors.entries()) {
      let cont = more[i]!.metadata.continue;
      let n = more[i]!.items.length;
      while (cont) {
        const l = await h.http.list<Pod>('Pod', { namespace: NS, limit: LIMIT, fieldSelector, continue: cont });
        n += l.items.length;
        cont = l.metadata.continue;
      }
      expect(n).toBe(COUNT - 1);
    }
    expect(firsts.every((f) => f.metadata.continue === firsts[0]!.metadata.continue)).toBe(true);
    ahead.clear();
    expect(ahead.size).toEqual({ pages: 0, bytes: 0 });
  });
});
