import { describe, expect, it } from 'vitest';
import { isApiError, type KObject } from '@kjobs/api';
import { drain, expectApiError, expectChain, job, jobs, pod, pods, pollUntil, prng, yieldToEventLoop, type OpenStore } from './contract-fixtures.js';
import type { ChangeRecord } from './store.js';

/** The change log: changesSince order, exclusivity, 410 rules, and tail. */
export function describeWatch(open: OpenStore): void {
  describe('change log', () => {
    it('changesSince returns every later change of the kind, in order, exclusive of rv', async () => {
      const store = await open();
      const rv0 = await store.revision();
      const a1 = await store.create(pods, pod('default', 'a'));
      await store.create(jobs, job('default', 'j'));
      const a2 = await store.update(pods, { ...a1, status: { phase: 'Running' } });
      const b1 = await store.create(pods, pod('default', 'b'));
      await store.update(jobs, job('default', 'j'));
      const aDel = await store.delete(pods, 'default', 'a');
      const all = await drain(store, pods, rv0);
      expect(all.map((e) => [e.type, e.object.metadata.name, e.rv])).toEqual([
        ['ADDED', 'a', a1.metadata.resourceVersion],
        ['MODIFIED', 'a', a2.metadata.resourceVersion],
        ['ADDED', 'b', b1.metadata.resourceVersion],
        ['DELETED', 'a', aDel.metadata.resourceVersion],
      ]);
      expectChain(rv0, all);
      expect(all.every((e) => e.resource === pods)).toBe(true);
      expect(all[1]!.object).toEqual(a2);
      expect(all[3]!.object).toEqual(aDel);
      const fromA2 = await store.changesSince(pods, a2.metadata.resourceVersion!);
      expect(fromA2.events.map((e) => e.rv)).toEqual([b1.metadata.resourceVersion, aDel.metadata.resourceVersion]);
      expect(fromA2.last).toBe(await store.revision());
      const two = await store.changesSince(pods, rv0, 2);
      expect(two.events.map((e) => e.rv)).toEqual([a1.metadata.resourceVersion, a2.metadata.resourceVersion]);
      expect(two.last).toBe(a2.metadata.resourceVersion);
      const jobsLog = await drain(store, jobs, rv0);
      expect(jobsLog.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
      expectChain(rv0, jobsLog);
      const now = await store.revision();
      expect(await store.changesSince(pods, now)).toEqual({ events: [], last: now });
    });

    it('a DELETED change carries the last state at the delete revision', async () => {
      const store = await open();
      const v1 = await store.create(pods, pod('default', 'a', { labels: { app: 'x' } }));
      const v2 = await store.update(pods, { ...v1, status: { phase: 'Failed' } });
      const del = await store.delete(pods, 'default', 'a', { expectedRv: v2.metadata.resourceVersion });
      expect(BigInt(del.metadata.resourceVersion!)).toBeGreaterThan(BigInt(v2.metadata.resourceVersion!));
      expect(await store.revision()).toBe(del.metadata.resourceVersion);
      const { events } = await store.changesSince(pods, v2.metadata.resourceVersion!);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'DELETED', rv: del.metadata.resourceVersion, prev: v2.metadata.resourceVersion });
      expect(events[0]!.object).toEqual({ ...v2, metadata: { ...v2.metadata, resourceVersion: del.metadata.resourceVersion } });
    });

    it('a quiet kind is never expired by other kinds\' writes', async () => {
      const store = await open({ maxLogLength: 10 });
      const rv0 = await store.revision();
      await store.create(jobs, job('default', 'j'));
      const p = await store.create(pods, pod('default', 'a'));
      for (let i = 0; i < 300; i++) await store.update(pods, { ...p, metadata: { ...p.metadata, resourceVersion: '' }, status: { n: i } });
      const b = await store.changesSince(jobs, rv0);
      expect(b.events.map((e) => e.type)).toEqual(['ADDED']);
      expect(b.last).toBe(await store.revision());
    });

    it('410 once the log was trimmed past rv; recent revisions still work', async () => {
      const store = await open({ maxLogLength: 10 });
      const p = await store.create(pods, pod('default', 'a'));
      const rvs: string[] = [];
      for (let i = 0; i < 300; i++) {
        const o = await store.update(pods, { ...p, metadata: { ...p.metadata, resourceVersion: '' }, status: { n: i } });
        rvs.push(o.metadata.resourceVersion!);
      }
      const err = await expectApiError(store.changesSince(pods, p.metadata.resourceVersion!), 410, 'Expired');
      expect(err.message).toMatch(/too old resource version/);
      await expectApiError(store.changesSince(pods, '0'), 410, 'Expired');
      const recent = await store.changesSince(pods, rvs[294]!);
      expect(recent.events.map((e) => e.rv)).toEqual(rvs.slice(295));
      expectChain(rvs[294]!, recent.events);
    });

    it('a revision beyond the current one is 410; a malformed one is 400', async () => {
      const store = await open();
      await store.create(pods, pod('default', 'a'));
      const rev = BigInt(await store.revision());
      const err = await expectApiError(store.changesSince(pods, String(rev + 5n)), 410);
      expect(err.message).toMatch(/Too large resource version/);
      await expectApiError(store.changesSince(pods, 'abc'), 400);
    });

    it('a watch from a list revision sees every later change exactly once, in order, while 40 writers race', async () => {
      const store = await open();
      for (let i = 0; i < 8; i++) await store.create(pods, pod('race', `p${i}`));
      const listRv = (await store.list(pods)).resourceVersion;
      const won: string[] = [];
      let writersDone = false;
      const writer = async (w: number) => {
        const rng = prng(w + 1);
        for (let n = 0; n < 5; n++) {
          const name = `p${Math.floor(rng() * 8)}`;
          let cur = (await store.get(pods, 'race', name))!;
          for (;;) {
            try {
              const next = await store.update(pods, { ...cur, metadata: { ...cur.metadata, labels: { w: String(w), n: String(n) } } });
              won.push(next.metadata.resourceVersion!);
              break;
            } catch (e) {
              if (!isApiError(e, 409)) throw e;
              cur = e.current as KObject;
            }
          }
        }
      };
      const seen: ChangeRecord[] = [];
      let cursor = listRv;
      const watcher = pollUntil('the watch to see every write', async () => {
        const b = await store.changesSince(pods, cursor, 37);
        seen.push(...b.events);
        cursor = b.last;
        return writersDone && b.events.length === 0;
      });
      await Promise.all(Array.from({ length: 40 }, (_, w) => writer(w)));
      writersDone = true;
      await watcher;
      expect(won).toHaveLength(200);
      expectChain(listRv, seen);
      expect(seen.map((e) => e.rv)).toEqual([...won].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      expect(seen.every((e) => e.type === 'MODIFIED')).toBe(true);
    });
  });

  describe('tail', () => {
    it('returns changes after each cursor across kinds, waits for the next one, and stops on abort', async () => {
      const store = await open();
      const rv0 = await store.revision();
      const p = await store.create(pods, pod('default', 'a'));
      const j = await store.create(jobs, job('default', 'j'));
      const recs = await store.tail(new Map([[pods, rv0], [jobs, rv0]]), 0);
      expect(recs.map((r) => [r.resource.resource, r.type, r.rv, r.prev])).toEqual([
        ['pods', 'ADDED', p.metadata.resourceVersion, '0'],
        ['jobs', 'ADDED', j.metadata.resourceVersion, '0'],
      ]);
      expect(await store.tail(new Map([[pods, p.metadata.resourceVersion!]]), 0)).toEqual([]);

      const waiting = store.tail(new Map([[pods, p.metadata.resourceVersion!], [jobs, j.metadata.resourceVersion!]]), 30_000);
      await yieldToEventLoop();
      const j2 = await store.update(jobs, { ...j, status: { active: 1 } });
      const got = await waiting;
      expect(got.map((r) => [r.type, r.rv, r.prev])).toEqual([['MODIFIED', j2.metadata.resourceVersion, j.metadata.resourceVersion]]);
      expect(got[0]!.object).toEqual(j2);

      const ac = new AbortController();
      const blocked = store.tail(new Map([[pods, await store.revision()]]), 60_000, ac.signal);
      await yieldToEventLoop();
      ac.abort();
      expect(await blocked).toEqual([]);
      const after = await store.create(pods, pod('default', 'b'));
      expect((await store.tail(new Map([[pods, p.metadata.resourceVersion!]]), 1000)).map((r) => r.rv)).toEqual([after.metadata.resourceVersion]);
    });
  });
}
