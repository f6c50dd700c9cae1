import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageWire } from './message.js';
import type { Clock } from './clock.js';
import type { MemqBroker } from './types.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(public t = Date.UTC(2026, 10, 27, 18, 49, 14, 262) + 0.174) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * The behaviour every MemqBroker must show (kuard's broker.go plus the lease extension), run
 * against the in-memory broker (unit test) and the Redis broker (integration test).
 */
export function runBrokerContract(name: string, make: (clock: FakeClock) => Promise<MemqBroker>): void {
  describe(`${name} broker contract`, () => {
    let clock: FakeClock;
    let b: MemqBroker;
    beforeEach(async () => {
      clock = new FakeClock();
      b = await make(clock);
    });
    afterEach(async () => {
      await b.close();
    });

    it('starts with no queues; stats is an empty list, never null', async () => {
      expect(await b.stats()).toEqual({ kind: 'stats', queues: [] });
    });

    it('creates a queue once; a second create is "already exists"', async () => {
      await b.createQueue('keygen');
      await expect(b.createQueue('keygen')).rejects.toThrow('already exists');
      expect((await b.stats()).queues).toEqual([{ name: 'keygen', depth: 0, enqueued: 0, dequeued: 0, drained: 0 }]);
    });

    it.each([
      ['enqueue', (x: MemqBroker) => x.enqueue('nope', 'a')],
      ['dequeue', (x: MemqBroker) => x.dequeue('nope')],
      ['dequeueWithLease', (x: MemqBroker) => x.dequeueWithLease('nope', 1000)],
      ['drain', (x: MemqBroker) => x.drain('nope')],
      ['delete', (x: MemqBroker) => x.deleteQueue('nope')],
      ['ack', (x: MemqBroker) => x.ack('nope', 'abc')],
    ])('%s on an unknown queue is "does not exist" (never created implicitly)', async (_, op) => {
      await expect(op(b)).rejects.toThrow('does not exist');
      expect((await b.stats()).queues).toEqual([]);
    });

    it('rejects an empty name with "empty name"', async () => {
      await expect(b.createQueue('')).rejects.toThrow('empty name');
      await expect(b.enqueue('', 'x')).rejects.toThrow('empty name');
    });

    it('is FIFO and dequeue returns exactly what enqueue returned', async () => {
      await b.createQueue('q');
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push(await b.enqueue('q', `work-item-${i}`));
      for (let i = 0; i < 5; i++) {
        const got = await b.dequeue('q');
        expect(got).toBeDefined();
        expect(messageWire(got!)).toBe(messageWire(sent[i]!));
        expect(got!.body).toBe(`work-item-${i}`);
      }
      expect(await b.dequeue('q')).toBeUndefined();
      expect((await b.stats()).queues).toEqual([{ name: 'q', depth: 0, enqueued: 5, dequeued: 5, drained: 0 }]);
    });

    it('messages have kuard ids and timestamps', async () => {
      await b.createQueue('q');
      const m = await b.enqueue('q', Buffer.from('body'));
      expect(m.kind).toBe('message');
      expect(m.id).toMatch(/^[0-9a-f]{32}$/);
      expect(m.creationTimestamp).toBe('2026-11-27T18:49:14.262174Z');
    });

    it('keeps bodies byte for byte, including invalid UTF-8 as kuard encodes it', async () => {
      await b.createQueue('q');
      await b.enqueue('q', Buffer.from([0x61, 0xff, 0x3c, 0x26, 0x3e, 0xe2, 0x82, 0xac]));
      await b.enqueue('q', '');
      const m = await b.dequeue('q');
      expect(messageWire(m!)).toContain('"body":"a\\ufffd\\u003c\\u0026\\u003e€"');
      expect(m!.body).toBe('a\ufffd<&>€');
      expect((await b.dequeue('q'))!.body).toBe('');
    });

    it('drain drops queued items: drained += depth, enqueued/dequeued unchanged', async () => {
      await b.createQueue('q');
      for (let i = 0; i < 3; i++) await b.enqueue('q', `m${i}`);
      await b.dequeue('q');
      await b.drain('q');
      await b.drain('q');
      expect((await b.stats()).queues).toEqual([{ name: 'q', depth: 0, enqueued: 3, dequeued: 1, drained: 2 }]);
      expect(await b.dequeue('q')).toBeUndefined();
    });

    it('delete forgets items and counters; re-create starts at zero', async () => {
      await b.createQueue('q');
      await b.enqueue('q', 'x');
      await b.deleteQueue('q');
      await expect(b.deleteQueue('q')).rejects.toThrow('does not exist');
      await b.createQueue('q');
      expect(await b.dequeue('q')).toBeUndefined();
      expect((await b.stats()).queues).toEqual([{ name: 'q', depth: 0, enqueued: 0, dequeued: 0, drained: 0 }]);
    });

    it('sorts stats by name and keeps names apart (case, colons, percent, spaces)', async () => {
      for (const n of ['b', 'a:items', 'a', 'A', 'with space', '%3A']) await b.createQueue(n);
      await b.enqueue('a:items', 'only here');
      const stats = await b.stats();
      expect(stats.queues.map((q) => q.name)).toEqual(['%3A', 'A', 'a', 'a:items', 'b', 'with space']);
      expect(stats.queues.find((q) => q.name === 'a:items')!.depth).toBe(1);
      expect(stats.queues.find((q) => q.name === 'a')!.depth).toBe(0);
    });

    it('adds lease counters only when asked', async () => {
      await b.createQueue('q');
      expect((await b.stats()).queues[0]).not.toHaveProperty('inFlight');
      expect((await b.stats({ extended: true })).queues[0]).toEqual({
        name: 'q', depth: 0, enqueued: 0, dequeued: 0, drained: 0, inFlight: 0, redelivered: 0,
      });
    });

    it('a leased item is hidden until its lease expires, then redelivered first', async () => {
      await b.createQueue('q');
      const m1 = await b.enqueue('q', 'one');
      await b.enqueue('q', 'two');
      const l = await b.dequeueWithLease('q', 30_000);
      expect(l!.message.id).toBe(m1.id);
      expect(l!.leaseId).toMatch(/^[0-9a-f]{32}$/);
      expect(l!.expiresAt).toBe(clock.t + 30_000);
      expect((await b.stats({ extended: true })).queues[0]).toMatchObject({ depth: 1, dequeued: 1, inFlight: 1, redelivered: 0 });

      clock.advance(30_000);
      const again = await b.dequeueWithLease('q', 30_000);
      expect(again!.message.id).toBe(m1.id);
      expect(messageWire(again!.message)).toBe(messageWire(m1));
      expect((await b.stats({ extended: true })).queues[0]).toMatchObject({ depth: 1, enqueued: 2, dequeued: 1, inFlight: 1, redelivered: 1 });
      // the first consumer's lease is void
      await expect(b.ack('q', l!.leaseId)).rejects.toThrow('lease not found');
      await b.ack('q', again!.leaseId);
      await expect(b.ack('q', again!.leaseId)).rejects.toThrow('lease not found');
      expect((await b.stats({ extended: true })).queues[0]).toMatchObject({ depth: 1, inFlight: 0 });
    });

    it('an acked item never comes back; plain dequeue also sees expired leases', async () => {
      await b.createQueue('q');
      await b.enqueue('q', 'a');
      await b.enqueue('q', 'b');
      const la = await b.dequeueWithLease('q', 1000);
      const lb = await b.dequeueWithLease('q', 2000);
      await b.ack('q', la!.leaseId);
      clock.advance(5000);
      const back = await b.dequeue('q');
      expect(back!.body).toBe('b');
      expect(await b.dequeue('q')).toBeUndefined();
      expect(lb).toBeDefined();
      expect((await b.stats({ extended: true })).queues[0]).toEqual({
        name: 'q', depth: 0, enqueued: 2, dequeued: 2, drained: 0, inFlight: 0, redelivered: 1,
      });
    });

    it('returns several expired items to the head in expiry order, ahead of queued ones', async () => {
      await b.createQueue('q');
      for (const body of ['1', '2', '3', '4']) await b.enqueue('q', body);
      await b.dequeueWithLease('q', 300); // 1
      await b.dequeueWithLease('q', 100); // 2
      await b.dequeueWithLease('q', 200); // 3
      clock.advance(1000);
      const order = [];
      for (let m = await b.dequeue('q'); m; m = await b.dequeue('q')) order.push(m.body);
      expect(order).toEqual(['2', '3', '1', '4']);
    });

    it('stats reclaims expired leases too, keeping depth == enqueued - dequeued - drained', async () => {
      await b.createQueue('q');
      await b.enqueue('q', 'x');
      await b.dequeueWithLease('q', 10);
      clock.advance(10);
      const [s] = (await b.stats({ extended: true })).queues;
      expect(s).toEqual({ name: 'q', depth: 1, enqueued: 1, dequeued: 0, drained: 0, inFlight: 0, redelivered: 1 });
    });

    it('drain keeps in-flight leases; their items come back after expiry', async () => {
      await b.createQueue('q');
      await b.enqueue('q', 'x');
      await b.enqueue('q', 'y');
      await b.dequeueWithLease('q', 10);
      await b.drain('q');
      clock.advance(11);
      expect((await b.dequeue('q'))!.body).toBe('x');
      expect((await b.stats()).queues[0]).toEqual({ name: 'q', depth: 0, enqueued: 2, dequeued: 1, drained: 1 });
    });

    it('delete drops leases; ack on a deleted queue is "does not exist"', async () => {
      await b.createQueue('q');
      await b.enqueue('q', 'x');
      const l = await b.dequeueWithLease('q', 1000);
      await b.deleteQueue('q');
      await expect(b.ack('q', l!.leaseId)).rejects.toThrow('does not exist');
      await b.createQueue('q');
      clock.advance(2000);
      expect(await b.dequeue('q')).toBeUndefined();
    });

    it('dequeueWithLease on an empty queue returns undefined', async () => {
      await b.createQueue('q');
      expect(await b.dequeueWithLease('q', 1000)).toBeUndefined();
    });
  });
}
