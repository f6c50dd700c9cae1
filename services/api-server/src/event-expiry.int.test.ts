import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, WatchEvent } from '@kjobs/api';
import { startHarness, type Harness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ eventTtlMs: 2_000 });
});
afterAll(async () => {
  await h?.stop();
});

const event = (name: string): Event => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'm', type: 'Normal',
  firstTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), lastTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), count: 1,
});

describe('Event TTL on Redis and NATS', () => {
  it('deletes an Event once the TTL has passed since its last write, as a DELETED watch event', async () => {
    const seen: string[] = [];
    const w = h.nats.watch<Event>('Event', { namespace: 'default', resourceVersion: '0' }, (ev: WatchEvent<Event>) => {
      if (ev.object.metadata.name === 'short-lived') seen.push(ev.type);
    });
    try {
      const created = await h.nats.create<Event>('Event', event('short-lived'));
      const end = Date.now() + 20_000;
      while (!seen.includes('DELETED') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual(['ADDED', 'DELETED']);
      // Not before its TTL: 2 s after its lastTimestamp (its write here, at second precision, so
      // up to 1 s before the write itself).
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(created.lastTimestamp!) + 2_000);
      await expect(h.nats.get('Event', 'default', 'short-lived')).rejects.toMatchObject({ code: 404 });
      expect(created.metadata.resourceVersion).toBeTruthy();
    } finally {
      w.stop();
    }
  });
});
