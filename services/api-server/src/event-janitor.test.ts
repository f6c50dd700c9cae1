import { describe, expect, it } from 'vitest';
import { findResource, type Event } from '@kjobs/api';
import { Subjects } from '@kjobs/bus';
import { MemoryStore } from '@kjobs/store';
import { EventJanitor } from './event-janitor.js';
import { WatchHub } from './watch-hub.js';

const res = findResource('', 'events')!;
const event = (name: string, lastTimestamp: string): Event => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default', creationTimestamp: lastTimestamp },
  involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'm', lastTimestamp,
});

describe('EventJanitor', () => {
  it('deletes Events last seen before the TTL, keeps newer ones, and records each expiry as a DELETED change', async () => {
    const store = new MemoryStore();
    const now = new Date('2026-11-27T12:00:00Z');
    for (let i = 0; i < 1200; i++) await store.create(res, event(`old-${i}`, '2026-11-27T10:00:00Z'));
    await store.create(res, event('recent', '2026-11-27T11:30:00Z'));
    const before = await store.revision();
    const janitor = new EventJanitor({ store, ttlMs: 3_600_000, now: () => now });
    expect(await janitor.sweep()).toBe(1200);
    const left = await store.list(res, {});
    expect(left.items.map((e) => e.metadata.name)).toEqual(['recent']);
    const changes = await store.changesSince(res, before, 5000);
    expect(changes.events.filter((c) => c.type === 'DELETED')).toHaveLength(1200);
    expect(await janitor.sweep()).toBe(0);
  });
});

describe('EventJanitor with the change feed', () => {
  it('expires each Event a TTL after its last write, without listing Events', async () => {
    const store = new MemoryStore();
    const hub = new WatchHub(store, undefined, new Subjects());
    await hub.start();
    let nowMs = Date.parse('2026-11-27T12:00:00Z');
    const janitor = new EventJanitor({ store, feed: hub, ttlMs: 60_000, intervalMs: 3_600_000, fullSweepMs: 3_600_000, now: () => new Date(nowMs) });
    janitor.start();
    const list = store.list.bind(store);
    let lists = 0;
    store.list = (...args: Parameters<MemoryStore['list']>) => ((lists += 1), list(...args));
    try {
      // lastTimestamp is long past: what counts is when the api-server saw the write.
      for (let i = 0; i < 300; i++) await store.create(res, event(`e-${i}`, '2020-01-01T00:00:00Z'));
      await waitUntil(() => janitor.tracked === 300);
      nowMs += 30_000;
      const rewritten = await store.get(res, 'default', 'e-0');
      const updated = await store.update(res, { ...(rewritten as Event), count: 2 });
      await waitUntil(() => hub.cursor(res) === updated.metadata.resourceVersion);

      expect(await janitor.expireDue()).toBe(0); // 30 s: nothing is due
      nowMs += 30_001; // 60 s after the first writes, 30 s after e-0's second
      expect(await janitor.expireDue()).toBe(299);
      expect((await list(res, {})).items.map((e) => e.metadata.name)).toEqual(['e-0']);
      nowMs += 30_000;
      expect(await janitor.expireDue()).toBe(1);
      expect((await list(res, {})).items).toEqual([]);
      expect(lists).toBe(0);
      // The janitor's own deletes come back on the feed and leave nothing tracked.
      await waitUntil(() => janitor.tracked === 0);
    } finally {
      janitor.stop();
      await hub.stop();
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}
