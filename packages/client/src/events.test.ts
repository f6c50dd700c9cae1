import { describe, expect, it } from 'vitest';
import type { Event, KObject } from '@kjobs/api';
import { EventRecorder } from './events.js';
import type { ApiClient } from './types.js';

/** An API that holds every create until released, to watch what the recorder has in flight. */
function heldApi() {
  const held: { ev: Event; release: () => void }[] = [];
  const created: Event[] = [];
  const api = {
    create: (_kind: string, ev: Event) => new Promise<Event>((resolve) => {
      held.push({ ev, release: () => { created.push(ev); resolve(ev); } });
    }),
    patch: () => Promise.reject(new Error('not used')),
  } as unknown as ApiClient;
  return { api, held, created };
}

const pod = (i: number): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}` } });
const settle = () => new Promise((r) => setImmediate(r));

describe('EventRecorder', () => {
  it('sends at most 8 Events at once, in the order recorded, each stamped when it was recorded', async () => {
    const { api, held, created } = heldApi();
    let clock = Date.parse('2026-11-27T12:00:00Z');
    const rec = new EventRecorder(api, 'test', undefined, () => new Date(clock));
    for (let i = 0; i < 20; i++) rec.record(pod(i), 'Normal', 'Started', `started ${i}`);
    clock += 60_000;
    await settle();
    expect(held).toHaveLength(8);
    while (created.length < 20) {
      const next = held.find((h) => !created.includes(h.ev));
      if (!next) throw new Error('nothing in flight while Events wait');
      next.release();
      await settle();
      expect(held.length - created.length).toBeLessThanOrEqual(8);
    }
    expect(created.map((e) => e.message)).toEqual(Array.from({ length: 20 }, (_, i) => `started ${i}`));
    expect(new Set(created.map((e) => e.lastTimestamp))).toEqual(new Set(['2026-11-27T12:00:00Z']));
  });

  it('drops new Events once 1,000 are waiting', async () => {
    const { api, held, created } = heldApi();
    const rec = new EventRecorder(api, 'test');
    for (let i = 0; i < 1_100; i++) rec.record(pod(i), 'Normal', 'Started', `m${i}`);
    await settle();
    while (held.length > created.length) {
      for (const h of held.filter((x) => !created.includes(x.ev))) h.release();
      await settle();
    }
    // 8 went out at once, 1,000 queued behind them, the rest dropped.
    expect(created).toHaveLength(1_008);
    expect(created.at(-1)?.message).toBe('m1007');
  });
});
