import { describe, expect, it } from 'vitest';
import type { Event, KObject } from '@kjobs/api';
import { EventRecorder, eventName } from './events.js';
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
    // Sending starts on the next turn: 1,000 queued by then, the rest dropped.
    expect(created).toHaveLength(1_000);
    expect(created.at(-1)?.message).toBe('m999');
  });
});

describe('EventRecorder with createMany (NATS)', () => {
  it("creates the Events recorded in one turn in one message, patches repeats, and a repeat within a batch waits for its first", async () => {
    const calls: string[][] = [];
    const patches: { name: string; count: unknown }[] = [];
    const api = {
      create: () => Promise.reject(new Error('createMany is used')),
      createMany: async (_kind: string, evs: Event[]) => {
        calls.push(evs.map((e) => e.reason ?? ''));
        return evs;
      },
      patch: async (_k: string, _ns: string, name: string, _t: string, body: { count: unknown }) => {
        patches.push({ name, count: body.count });
        return {};
      },
    } as unknown as ApiClient;
    const rec = new EventRecorder(api, 'kubelet', 'node-1');
    rec.record(pod(1), 'Normal', 'Pulled', 'already present');
    rec.record(pod(1), 'Normal', 'Created', 'Created container c');
    rec.record(pod(1), 'Normal', 'Started', 'Started container c');
    rec.record(pod(1), 'Normal', 'Created', 'Created container c');
    await settle();
    for (let i = 0; i < 5 && calls.length + patches.length < 2; i++) await settle();
    // One message for the three distinct Events; the repeat then patches the first's count.
    expect(calls).toEqual([['Pulled', 'Created', 'Started']]);
    await settle();
    expect(patches).toHaveLength(1);
    expect(patches[0]?.count).toBe(2);
    expect(patches[0]?.name).toMatch(/^p1\./);
  });
});

describe('eventName', () => {
  it('is <object>.<hex UnixNano> as client-go names Events, and differs between calls in one millisecond', () => {
    const at = new Date('2026-11-28T03:00:00.123Z');
    const names = Array.from({ length: 50 }, () => eventName('job-abc', at));
    for (const n of names) {
      const [obj, hex] = n.split('.');
      expect(obj).toBe('job-abc');
      const ns = BigInt(`0x${hex}`);
      expect(ns / 1_000_000n).toBe(BigInt(at.getTime()));
    }
    expect(new Set(names).size).toBeGreaterThan(1);
  });
});
