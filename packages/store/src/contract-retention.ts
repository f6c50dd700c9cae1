import { describe, expect, it } from 'vitest';
import { drain, expectApiError, expectChain, fakeClock, job, jobs, pod, pods, type OpenStore } from './contract-fixtures.js';
import type { ChangeRecord, Store } from './store.js';

/** An unconditional update of pod default/<name>; returns its resourceVersion. */
async function touch(store: Store, name: string, n: number): Promise<string> {
  const o = await store.update(pods, { ...pod('default', name), status: { n } });
  return o.metadata.resourceVersion!;
}

/** Age-based trimming of the change logs (`logRetentionSeconds`), on a fake clock. */
export function describeRetention(open: OpenStore): void {
  describe('change log retention', () => {
    it('trims changes older than the retention window on the kind\'s next write; newer ones stay', async () => {
      const clock = fakeClock();
      const store = await open({ logRetentionSeconds: 60, now: clock.now });
      const rv0 = await store.revision();
      const old = [(await store.create(pods, pod('default', 'a'))).metadata.resourceVersion!];
      clock.at(0.5);
      for (let n = 0; n < 2; n++) old.push(await touch(store, 'a', n));
      clock.at(30);
      const mid: string[] = [];
      for (let n = 0; n < 3; n++) mid.push(await touch(store, 'a', 10 + n));
      clock.at(60.999); // second 0 ended 59.999 s ago: still inside the window
      const edge = await touch(store, 'a', 20);
      expect((await drain(store, pods, rv0)).map((e) => e.rv)).toEqual([...old, ...mid, edge]);
      clock.at(61); // second 0 ended 60 s ago: its changes go with this write
      const fresh = await touch(store, 'a', 21);
      await expectApiError(store.changesSince(pods, rv0), 410, 'Expired');
      const kept = await drain(store, pods, old[old.length - 1]!);
      expect(kept.map((e) => e.rv)).toEqual([...mid, edge, fresh]);
      expectChain(old[old.length - 1]!, kept);
    });

    it('a watch from a trimmed revision is 410 Expired; from the newest trimmed one it resumes; quiet kinds keep theirs', async () => {
      const clock = fakeClock();
      const store = await open({ logRetentionSeconds: 60, now: clock.now });
      const rv0 = await store.revision();
      const j = await store.create(jobs, job('default', 'j'));
      const p = await store.create(pods, pod('default', 'a'));
      const lastOld = await touch(store, 'a', 1);
      clock.at(100);
      const p2 = await touch(store, 'a', 2);

      for (const rv of [rv0, '0', p.metadata.resourceVersion!]) {
        const err = await expectApiError(store.changesSince(pods, rv), 410, 'Expired');
        expect(err.message).toMatch(/too old resource version/);
      }
      const resumed = await store.changesSince(pods, lastOld);
      expect(resumed.events.map((e) => [e.type, e.rv, e.prev])).toEqual([['MODIFIED', p2, lastOld]]);

      // Jobs were not written since: other kinds' writes never trim their log.
      expect((await store.changesSince(jobs, rv0)).events.map((e) => e.rv)).toEqual([j.metadata.resourceVersion]);
      const j2 = await store.update(jobs, { ...job('default', 'j'), status: { active: 1 } });
      await expectApiError(store.changesSince(jobs, rv0), 410, 'Expired');
      expect((await store.changesSince(jobs, j.metadata.resourceVersion!)).events.map((e) => e.rv)).toEqual([j2.metadata.resourceVersion]);
    });

    it('watches that keep up within the window see every change once, in order, while older ones are trimmed', async () => {
      const clock = fakeClock();
      const store = await open({ logRetentionSeconds: 10, now: clock.now });
      for (let i = 0; i < 3; i++) await store.create(pods, pod('default', `p${i}`));
      const listRv = (await store.list(pods)).resourceVersion;
      const written: string[] = [];
      const watchers = [{ every: 1, cursor: listRv, seen: [] as ChangeRecord[] }, { every: 12, cursor: listRv, seen: [] as ChangeRecord[] }];
      const catchUp = async (w: (typeof watchers)[number]) => {
        const got = await drain(store, pods, w.cursor, 5);
        w.seen.push(...got);
        if (got.length) w.cursor = got[got.length - 1]!.rv;
      };
      for (let step = 0; step < 120; step++) {
        clock.at(step * 0.7); // 84 s of writes; the slow watcher lags at most 8.4 s of a 10 s window
        const name = `p${step % 3}`;
        if (step % 20 === 19) {
          written.push((await store.delete(pods, 'default', name)).metadata.resourceVersion!);
          written.push((await store.create(pods, pod('default', name))).metadata.resourceVersion!);
        } else {
          written.push(await touch(store, name, step));
        }
        for (const w of watchers) if (step % w.every === w.every - 1) await catchUp(w);
      }
      for (const w of watchers) {
        await catchUp(w);
        expect(w.seen.map((e) => e.rv), `watcher every ${w.every}`).toEqual(written);
        expectChain(listRv, w.seen);
        expect(w.seen.filter((e) => e.type === 'DELETED')).toHaveLength(6);
      }
      await expectApiError(store.changesSince(pods, listRv), 410, 'Expired');
    });
  });
}
