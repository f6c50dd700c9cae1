import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runStoreContract } from './contract.js';
import { FAKE_T0_MS, fakeClock, pod, pods } from './contract-fixtures.js';
import { LuaScript } from './lua-scripts.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Delete every key matching a pattern with SCAN + DEL (never FLUSH: Redis is shared). */
async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

async function allKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out.sort();
}

function uniquePrefix(): string {
  return `kjobs-test-store-${process.pid}-${randomUUID().slice(0, 8)}`;
}

async function openRedisStore(opts: Omit<RedisStoreOptions, 'redis' | 'prefix'> = {}): Promise<{ redis: Redis; store: RedisStore; cleanup(): Promise<void> }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const store = new RedisStore({ redis, prefix: uniquePrefix(), ...opts });
  await store.init();
  return {
    redis,
    store,
    cleanup: async () => {
      await deleteKeys(redis, store.keys.scanPattern());
      await redis.quit();
    },
  };
}

runStoreContract('RedisStore', async (opts) => openRedisStore(opts));

describe('RedisStore (Redis specifics)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  const open = async () => {
    const h = await openRedisStore();
    cleanups.push(async () => {
      await h.store.close();
      await h.cleanup();
    });
    return h;
  };

  it('init applies the restart rule once per Redis run: bump, floor, 410 for older revisions', async () => {
    const { redis, store } = await open();
    const first = await store.applyRestartRule();
    expect(first.bumped).toBe(false);
    expect(BigInt(first.revision)).toBeGreaterThanOrEqual(1_000_000n);
    expect(first.floor).toBe(first.revision);
    for (const n of ['a', 'b', 'c']) await store.create(pods, pod('default', n));
    const page = await store.list(pods, { limit: 1 });
    const before = await store.revision();
    await redis.set(store.keys.runid(), 'a-previous-run');
    const bumped = await store.applyRestartRule();
    expect(bumped.bumped).toBe(true);
    expect(BigInt(bumped.revision)).toBe(BigInt(before) + 1_000_000n);
    expect(bumped.floor).toBe(bumped.revision);
    expect((await store.applyRestartRule()).bumped).toBe(false);
    await expect(store.changesSince(pods, before)).rejects.toMatchObject({ code: 410, reason: 'Expired' });
    await expect(store.list(pods, { limit: 1, continue: page.continue })).rejects.toMatchObject({ code: 410 });
    const d = await store.create(pods, pod('default', 'd'));
    expect(BigInt(d.metadata.resourceVersion!)).toBe(BigInt(bumped.revision) + 1n);
    expect((await store.changesSince(pods, bumped.revision)).events.map((e) => e.rv)).toEqual([d.metadata.resourceVersion]);
    expect((await store.list(pods)).items).toHaveLength(4);
  });

  it('keeps hashes and indexes exact: no resourceVersion in bodies, no stale or leaked index keys', async () => {
    const { redis, store } = await open();
    const k = store.keys;
    const a = await store.create(pods, pod('ns1', 'a', { labels: { app: 'web' }, nodeName: 'n1', phase: 'Running', ownerUid: 'u1' }));
    const [d, ix] = await redis.hmget(k.object(pods, 'ns1', 'a'), 'd', 'ix');
    expect(JSON.parse(d!).metadata.resourceVersion).toBeUndefined();
    // `ix` lists the index keys without the kind's index prefix.
    expect((JSON.parse(ix!) as string[]).map((x) => k.indexPrefix(pods) + x).sort()).toEqual([
      k.indexAll(pods), k.indexField(pods, 'spec.nodeName', 'n1'), k.indexField(pods, 'status.phase', 'Running'),
      k.indexLabel(pods, 'app', 'web'), k.indexNamespace(pods, 'ns1'), k.indexOwner(pods, 'u1'),
    ].sort());
    expect(ix).not.toContain(k.tag);
    await store.update(pods, { ...pod('ns1', 'a', { labels: { app: 'db' }, phase: 'Failed' }), metadata: { ...pod('ns1', 'a').metadata, labels: { app: 'db' }, resourceVersion: a.metadata.resourceVersion } });
    expect(await redis.exists(k.indexLabel(pods, 'app', 'web'), k.indexField(pods, 'spec.nodeName', 'n1'), k.indexOwner(pods, 'u1'))).toBe(0);
    expect(await redis.zrange(k.indexField(pods, 'spec.nodeName', ''), '0', '-1')).toEqual(['ns1/a']);
    await store.create(pods, pod('ns2', 'b', { labels: { x: 'y' } }));
    await store.delete(pods, 'ns1', 'a');
    await store.delete(pods, 'ns2', 'b');
    const left = (await allKeys(redis, k.scanPattern())).map((key) => key.slice(k.tag.length + 1));
    expect(left).toEqual(['floor', 'last:pods', 'log:pods', 'marks:pods', 'rev', 'runid']);
  });

  it('an object whose `ix` an older kjobs wrote with whole keys is moved between indexes and deleted without a stale index', async () => {
    const { redis, store } = await open();
    const k = store.keys;
    const a = await store.create(pods, pod('ns1', 'a', { labels: { app: 'web' }, nodeName: 'n1', phase: 'Running', ownerUid: 'u1' }));
    const key = k.object(pods, 'ns1', 'a');
    const whole = (JSON.parse((await redis.hget(key, 'ix'))!) as string[]).map((x) => k.indexPrefix(pods) + x);
    await redis.hset(key, 'ix', JSON.stringify(whole));
    await store.update(pods, { ...pod('ns1', 'a', { labels: { app: 'db' }, phase: 'Failed' }), metadata: { ...pod('ns1', 'a').metadata, labels: { app: 'db' }, resourceVersion: a.metadata.resourceVersion } });
    expect(await redis.exists(k.indexLabel(pods, 'app', 'web'), k.indexField(pods, 'spec.nodeName', 'n1'), k.indexOwner(pods, 'u1'))).toBe(0);
    expect(await redis.zrange(k.indexLabel(pods, 'app', 'db'), '0', '-1')).toEqual(['ns1/a']);
    await redis.hset(key, 'ix', JSON.stringify((JSON.parse((await redis.hget(key, 'ix'))!) as string[]).map((x) => k.indexPrefix(pods) + x)));
    await store.delete(pods, 'ns1', 'a');
    const left = (await allKeys(redis, k.scanPattern())).map((x) => x.slice(k.tag.length + 1));
    expect(left).toEqual(['floor', 'last:pods', 'log:pods', 'marks:pods', 'rev', 'runid']);
  });

  it('age trimming removes the stream entries and marks of seconds past the window; a clock behind counts in the newest second', async () => {
    const clock = fakeClock();
    const h = await openRedisStore({ logRetentionSeconds: 60, now: clock.now });
    cleanups.push(async () => {
      await h.store.close();
      await h.cleanup();
    });
    const { redis, store } = h;
    const k = store.keys;
    const touch = async (n: number) => (await store.update(pods, { ...pod('default', 'a'), status: { n } })).metadata.resourceVersion!;
    const ids = async () => (await redis.xrange(k.log(pods), '-', '+')).map(([id]) => id.replace(/-0$/, ''));
    const marks = () => redis.lrange(k.logMarks(pods), 0, -1);
    const sec = (s: number) => String(FAKE_T0_MS / 1000 + s);

    const first = (await store.create(pods, pod('default', 'a'))).metadata.resourceVersion!;
    const second0 = [first, await touch(1)];
    clock.at(30);
    const second30 = [await touch(2), await touch(3)];
    clock.at(61);
    const r61 = await touch(4);
    expect(await ids()).toEqual([...second30, r61]);
    expect(await marks()).toEqual([`${sec(30)}:${second30[0]}`, `${sec(61)}:${r61}`]);
    expect(second0.every((rv) => BigInt(rv) < BigInt(second30[0]!))).toBe(true);

    clock.at(59.5); // another api-server whose clock is behind: counted in second 61, kept as long
    const behind = await touch(5);
    expect(await marks()).toHaveLength(2);
    clock.at(91); // second 30 ended 60 s ago
    const r91 = await touch(6);
    expect(await ids()).toEqual([r61, behind, r91]);
    expect(await marks()).toEqual([`${sec(61)}:${r61}`, `${sec(91)}:${r91}`]);
    clock.at(121.999);
    await store.delete(pods, 'default', 'a');
    expect(await ids()).toHaveLength(4);
    clock.at(1000); // a long quiet spell: everything before this second goes, the new entry stays
    const again = (await store.create(pods, pod('default', 'a'))).metadata.resourceVersion!;
    expect(await ids()).toEqual([again]);
    expect(await marks()).toEqual([`${sec(1000)}:${again}`]);
  });

  it('runs scripts by EVALSHA, loading them with EVAL when Redis does not know them', async () => {
    const { redis } = await open();
    const s = new LuaScript('probe', `#!lua flags=no-writes\n-- ${randomUUID()}\nreturn ARGV[1]`);
    expect(await redis.script('EXISTS', s.sha)).toEqual([0]);
    expect(await s.run(redis, [], ['hello'])).toBe('hello');
    expect(await redis.script('EXISTS', s.sha)).toEqual([1]);
    expect(await s.run(redis, [], ['again'])).toBe('again');
  });

  it('long lists stay consistent with small scan batches (short pages still continue)', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const store = new RedisStore({ redis, prefix: uniquePrefix(), listScanBatch: 3, listRoundsPerPage: 2 });
    cleanups.push(async () => {
      await store.close();
      await deleteKeys(redis, store.keys.scanPattern());
      await redis.quit();
    });
    for (let i = 0; i < 40; i++) await store.create(pods, pod('default', `p${String(i).padStart(2, '0')}`, { labels: { m: i % 10 === 0 ? 'yes' : 'no' } }));
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(pods, { labelSelector: [{ key: 'm', operator: 'notin', values: ['no'] }], limit: 2, continue: cont });
      seen.push(...page.items.map((o) => o.metadata.name!));
      cont = page.continue;
      pages++;
    } while (cont);
    expect(seen).toEqual(['p00', 'p10', 'p20', 'p30']);
    expect(pages).toBeGreaterThan(2);
  });
});
