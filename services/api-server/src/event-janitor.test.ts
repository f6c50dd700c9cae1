import { describe, expect, it } from 'vitest';
import { findResource, type Event } from '@kjobs/api';
import { MemoryStore } from '@kjobs/store';
import { EventJanitor } from './event-janitor.js';

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

  it('sweeps on its timer only while it leads (several api-servers: the relay lease holder)', async () => {
    const store = new MemoryStore();
    await store.create(res, event('old', '2026-11-27T10:00:00Z'));
    let leads = false;
    let asked = 0;
    const janitor = new EventJanitor({ store, ttlMs: 3_600_000, intervalMs: 10, now: () => new Date('2026-11-27T12:00:00Z'), isLeader: () => (asked++, leads) });
    janitor.start();
    try {
      while (asked < 5) await new Promise((r) => setTimeout(r, 10));
      expect((await store.list(res, {})).items).toHaveLength(1);
      leads = true;
      const end = Date.now() + 5000;
      while ((await store.list(res, {})).items.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect((await store.list(res, {})).items).toHaveLength(0);
    } finally {
      janitor.stop();
    }
  });
});
