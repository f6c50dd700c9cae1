import { describe, expect, it } from 'vitest';
import { isApiError, parseFieldSelector, parseLabelSelector, type KObject } from '@kjobs/api';
import { expectApiError, keysOf, listPages, NewerWinsCache, pod, pods, prng, type OpenStore } from './contract-fixtures.js';
import type { Store, StoreListOptions } from './store.js';

const ALL = ['default/a', 'default/b', 'default/c', 'other/a', 'other/d'];

async function seedSelectorPods(store: Store): Promise<void> {
  await store.create(pods, pod('default', 'a', { labels: { app: 'web', tier: 'fe' }, nodeName: 'n1', phase: 'Running', ownerUid: 'u1' }));
  await store.create(pods, pod('default', 'b', { labels: { app: 'web', tier: 'be' }, nodeName: 'n2', phase: 'Pending', ownerUid: 'u1' }));
  await store.create(pods, pod('default', 'c', { labels: { app: 'db' }, phase: 'Pending' }));
  await store.create(pods, pod('other', 'a', { labels: { app: 'web' }, nodeName: 'n1', phase: 'Running', ownerUid: 'u2' }));
  await store.create(pods, pod('other', 'd', { nodeName: 'n2', phase: 'Succeeded' }));
}

/** `{ns, l: labelSelector, f: fieldSelector, owner}` in the string forms kubectl sends. */
function q(ns?: string, l?: string, f?: string, owner?: string): StoreListOptions {
  const o: StoreListOptions = { labelSelector: parseLabelSelector(l), fieldSelector: parseFieldSelector(f) };
  if (ns !== undefined) o.namespace = ns;
  if (owner) o.ownerUid = owner;
  return o;
}

async function listKeys(store: Store, opts: StoreListOptions, limit?: number): Promise<string[]> {
  if (!limit) return keysOf((await store.list(pods, opts)).items);
  return keysOf((await listPages(store, pods, opts, limit)).pages.flat());
}

const SELECTOR_CASES: [string, StoreListOptions, string[]][] = [
  ['everything', q(), ALL],
  ['namespace default', q('default'), ['default/a', 'default/b', 'default/c']],
  ['namespace other', q('other'), ['other/a', 'other/d']],
  ['empty namespace', q('missing'), []],
  ['app=web', q(undefined, 'app=web'), ['default/a', 'default/b', 'other/a']],
  ['app=web in other', q('other', 'app=web'), ['other/a']],
  ['app!=web', q(undefined, 'app!=web'), ['default/c', 'other/d']],
  ['app in (web,db)', q(undefined, 'app in (web,db)'), ['default/a', 'default/b', 'default/c', 'other/a']],
  ['app in (db)', q(undefined, 'app in (db)'), ['default/c']],
  ['app notin (web)', q(undefined, 'app notin (web)'), ['default/c', 'other/d']],
  ['tier exists', q(undefined, 'tier'), ['default/a', 'default/b']],
  ['!tier', q(undefined, '!tier'), ['default/c', 'other/a', 'other/d']],
  ['app=web,tier=be', q(undefined, 'app=web,tier=be'), ['default/b']],
  ['app=nope', q(undefined, 'app=nope'), []],
  ['spec.nodeName=n1', q(undefined, '', 'spec.nodeName=n1'), ['default/a', 'other/a']],
  ['spec.nodeName= (unbound)', q(undefined, '', 'spec.nodeName='), ['default/c']],
  ['spec.nodeName!=n1', q(undefined, '', 'spec.nodeName!=n1'), ['default/b', 'default/c', 'other/d']],
  ['status.phase=Pending', q(undefined, '', 'status.phase=Pending'), ['default/b', 'default/c']],
  ['phase + label', q(undefined, 'app=web', 'status.phase=Pending'), ['default/b']],
  ['ns + label + phase', q('default', 'app=web', 'status.phase=Running'), ['default/a']],
  ['metadata.name=a', q(undefined, '', 'metadata.name=a'), ['default/a', 'other/a']],
  ['metadata.name=a in other', q('other', '', 'metadata.name=a'), ['other/a']],
  ['metadata.name=a + app=db', q('default', 'app=db', 'metadata.name=a'), []],
  ['metadata.namespace=other', q(undefined, '', 'metadata.namespace=other'), ['other/a', 'other/d']],
  ['metadata.namespace=other in default', q('default', '', 'metadata.namespace=other'), []],
  ['metadata.namespace!=other', q(undefined, '', 'metadata.namespace!=other'), ['default/a', 'default/b', 'default/c']],
  ['a name no object can have', q(undefined, '', 'metadata.name=Bad!'), []],
  ['a namespace no object can have', q(undefined, '', 'metadata.namespace=NOT valid'), []],
  ['unindexed field spec.restartPolicy=', q(undefined, '', 'spec.restartPolicy='), ALL],
  ['owner u1', q(undefined, '', '', 'u1'), ['default/a', 'default/b']],
  ['owner u1 in other', q('other', '', '', 'u1'), []],
];

/** Namespace, label (equality and set-based), field and owner selectors; pagination. */
export function describeLists(open: OpenStore): void {
  describe('selectors', () => {
    it('list filters by namespace, labels, fields and owner (unpaged and paged)', async () => {
      const store = await open();
      await seedSelectorPods(store);
      for (const [what, opts, want] of SELECTOR_CASES) {
        expect(await listKeys(store, opts), what).toEqual(want);
        expect(await listKeys(store, opts, 2), `${what}, pages of 2`).toEqual(want);
      }
    });

    it('index membership follows label, field and owner changes and deletes', async () => {
      const store = await open();
      await seedSelectorPods(store);
      const next = pod('default', 'a', { labels: { app: 'db' }, nodeName: 'n2', phase: 'Succeeded', ownerUid: 'u2' });
      next.metadata.resourceVersion = (await store.get(pods, 'default', 'a'))!.metadata.resourceVersion;
      await store.update(pods, next);
      const after: [StoreListOptions, string[]][] = [
        [q(undefined, 'app=web'), ['default/b', 'other/a']],
        [q(undefined, 'app=db'), ['default/a', 'default/c']],
        [q(undefined, 'tier'), ['default/b']],
        [q(undefined, 'tier=fe'), []],
        [q(undefined, '', 'spec.nodeName=n1'), ['other/a']],
        [q(undefined, '', 'spec.nodeName=n2'), ['default/a', 'default/b', 'other/d']],
        [q(undefined, '', 'status.phase=Running'), ['other/a']],
        [q(undefined, '', '', 'u1'), ['default/b']],
        [q(undefined, '', '', 'u2'), ['default/a', 'other/a']],
      ];
      for (const [opts, want] of after) expect(await listKeys(store, opts), JSON.stringify(opts)).toEqual(want);
      await store.delete(pods, 'default', 'b');
      const afterDelete: [StoreListOptions, string[]][] = [
        [q(undefined, 'app=web'), ['other/a']],
        [q(undefined, '', '', 'u1'), []],
        [q(undefined, '', 'spec.nodeName=n2'), ['default/a', 'other/d']],
        [q('default'), ['default/a', 'default/c']],
      ];
      for (const [opts, want] of afterDelete) expect(await listKeys(store, opts), JSON.stringify(opts)).toEqual(want);
    });
  });

  describe('pagination', () => {
    it('31 objects in pages of 7: sorted, no duplicates, all seen, one list resourceVersion', async () => {
      const store = await open();
      const rng = prng(31);
      const all = Array.from({ length: 31 }, (_, i) => ({ ns: ['a', 'a-b', 'b'][i % 3]!, name: `p${String(i).padStart(2, '0')}` }));
      const shuffled = [...all].sort(() => rng() - 0.5);
      for (const o of shuffled) await store.create(pods, pod(o.ns, o.name, { labels: { half: String(Number(o.name.slice(1)) % 2 === 0) } }));
      const want = all.map((o) => `${o.ns}/${o.name}`).sort();
      const rev = await store.revision();
      const { pages, rv } = await listPages(store, pods, {}, 7);
      expect(rv).toBe(rev);
      expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 3]);
      expect(keysOf(pages.flat())).toEqual(want);
      for (const limit of [1, 30, 31, 32, 1000]) expect(await listKeys(store, {}, limit), `limit ${limit}`).toEqual(want);
      const unpaged = await store.list(pods);
      expect(unpaged.continue).toBeUndefined();
      expect(unpaged.resourceVersion).toBe(rev);
      expect(keysOf(unpaged.items)).toEqual(want);
      const evens = want.filter((k) => Number(k.slice(-2)) % 2 === 0);
      expect(await listKeys(store, q(undefined, 'half=true'), 5)).toEqual(evens);
      expect(await listKeys(store, q(undefined, 'half notin (true)'), 4)).toEqual(want.filter((k) => !evens.includes(k)));
      expect(await listKeys(store, q('a-b', 'half in (false)'), 3)).toEqual(want.filter((k) => k.startsWith('a-b/') && !evens.includes(k)));
    });

    it('listJson answers the pages list answers, each object as stored (no resourceVersion in the body)', async () => {
      const store = await open();
      await seedSelectorPods(store);
      for (const ns of ['a', 'a-b']) for (let i = 0; i < 4; i++) await store.create(pods, pod(ns, `x${i}`, { labels: { app: 'web' } }));
      const cases: StoreListOptions[] = [q(), q('a'), q('a-b'), q('default'), q(undefined, 'app=web'), q('other', '', 'spec.nodeName=n1'), q(undefined, '', '', 'u1')];
      for (const opts of cases) {
        for (const limit of [0, 1, 3]) {
          let cont: string | undefined;
          do {
            const page = { ...opts, ...(limit ? { limit } : {}), ...(cont ? { continue: cont } : {}) };
            const [objs, json] = await Promise.all([store.list(pods, page), store.listJson(pods, page)]);
            const what = `${JSON.stringify(opts)} limit ${limit} after ${cont ?? 'start'}`;
            expect(json.resourceVersion, what).toBe(objs.resourceVersion);
            expect(json.continue, what).toBe(objs.continue);
            for (const j of json.items) expect(JSON.parse(j.body).metadata.resourceVersion, what).toBeUndefined();
            expect(json.items.map((j) => ({ ...JSON.parse(j.body), metadata: { ...JSON.parse(j.body).metadata, resourceVersion: j.rv } })), what).toEqual(objs.items);
            cont = objs.continue;
          } while (cont);
        }
      }
    });

    it('a malformed continue token is 410', async () => {
      const store = await open();
      await store.create(pods, pod('default', 'a'));
      await expectApiError(store.list(pods, { limit: 1, continue: 'not-a-token!' }), 410);
      await expectApiError(store.list(pods, { limit: 1, continue: Buffer.from('{"v":2}').toString('base64url') }), 410);
    });

    it('paging while others write converges: pages + watch from the first page rv = final state', async () => {
      const store = await open();
      for (let i = 0; i < 120; i++) await store.create(pods, pod('w', `o${i}`, { labels: { gen: '0' } }));
      const rng = prng(7);
      const write = async (k: number) => {
        const name = `o${Math.floor(rng() * 160)}`;
        const op = rng();
        try {
          if (op < 0.2) await store.create(pods, pod('w', name));
          else if (op < 0.8) await store.update(pods, pod('w', name, { labels: { gen: String(k) } }));
          else await store.delete(pods, 'w', name);
        } catch (e) {
          if (!isApiError(e, 404) && !isApiError(e, 409)) throw e;
        }
      };
      const writers = Promise.all(Array.from({ length: 8 }, async () => {
        for (let k = 1; k <= 60; k++) await write(k);
      }));
      const cache = new NewerWinsCache();
      const { pages, rv } = await listPages(store, pods, {}, 10);
      const revAfterList = BigInt(await store.revision());
      for (const o of pages.flat()) cache.apply(`w/${o.metadata.name}`, o.metadata.resourceVersion!, true);
      await writers;
      expect(revAfterList, 'writes happened while paging').toBeGreaterThan(BigInt(rv));
      let cursor = rv;
      for (;;) {
        const b = await store.changesSince(pods, cursor, 100);
        for (const e of b.events) cache.apply(`w/${e.object.metadata.name}`, e.rv, e.type !== 'DELETED');
        cursor = b.last;
        if (b.events.length === 0) break;
      }
      const final = (await store.list(pods)).items.map((o: KObject): [string, string] => [`w/${o.metadata.name}`, o.metadata.resourceVersion!]);
      expect(cache.live()).toEqual(final.sort(([x], [y]) => (x < y ? -1 : 1)));
    });
  });
}
