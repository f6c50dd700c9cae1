import { EmptyNameError, LeaseNotFoundError, QueueExistsError, QueueNotFoundError } from '../errors.js';
import { systemClock, type Clock } from '../clock.js';
import { newId } from '../ids.js';
import { createMessage } from '../message.js';
import type { ExtendedStat, LeasedMessage, MemqBroker, Message, Stat, Stats, StatsOptions } from '../types.js';
import { Fifo } from './fifo.js';

interface Lease {
  message: Message;
  expiresAt: number;
}

interface QueueState {
  items: Fifo<Message>;
  enqueued: number;
  dequeued: number;
  drained: number;
  redelivered: number;
  /** leaseId → lease; insertion order is lease order. */
  leases: Map<string, Lease>;
  /** Earliest expiresAt among `leases` (Infinity when none): lets reclaim skip the scan. */
  nextExpiry: number;
}

/** Options of the in-memory broker. */
export interface MemoryBrokerOptions {
  /** Time source for timestamps and leases. Default: the system clock. */
  clock?: Clock;
}

/**
 * kuard's broker (`pkg/memq/server/broker.go`) in process memory, with the lease extension.
 * Nothing survives the process, exactly like kuard. Operations run synchronously inside one
 * turn of the event loop, so each is atomic.
 */
export class MemoryBroker implements MemqBroker {
  private readonly queues = new Map<string, QueueState>();
  private readonly clock: Clock;

  constructor(opts: MemoryBrokerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  async createQueue(name: string): Promise<void> {
    checkName(name);
    if (this.queues.has(name)) throw new QueueExistsError();
    this.queues.set(name, {
      items: new Fifo(),
      enqueued: 0,
      dequeued: 0,
      drained: 0,
      redelivered: 0,
      leases: new Map(),
      nextExpiry: Infinity,
    });
  }

  async deleteQueue(name: string): Promise<void> {
    checkName(name);
    if (!this.queues.delete(name)) throw new QueueNotFoundError();
  }

  async drain(name: string): Promise<void> {
    const q = this.queue(name);
    q.drained += q.items.clear();
  }

  async enqueue(name: string, body: Buffer | string): Promise<Message> {
    const q = this.queue(name);
    const m = createMessage(body, this.clock.now());
    q.items.push(m);
    q.enqueued++;
    return m;
  }

  async dequeue(name: string): Promise<Message | undefined> {
    const q = this.queue(name);
    reclaim(q, this.clock.now());
    const m = q.items.shift();
    if (m !== undefined) q.dequeued++;
    return m;
  }

  async dequeueWithLease(name: string, leaseMs: number): Promise<LeasedMessage | undefined> {
    const q = this.queue(name);
    const now = this.clock.now();
    reclaim(q, now);
    const message = q.items.shift();
    if (message === undefined) return undefined;
    q.dequeued++;
    const leaseId = newId();
    const expiresAt = now + leaseMs;
    q.leases.set(leaseId, { message, expiresAt });
    q.nextExpiry = Math.min(q.nextExpiry, expiresAt);
    return { message, leaseId, expiresAt };
  }

  async ack(name: string, leaseId: string): Promise<void> {
    const q = this.queue(name);
    reclaim(q, this.clock.now());
    if (!q.leases.delete(leaseId)) throw new LeaseNotFoundError();
    if (q.leases.size === 0) q.nextExpiry = Infinity;
  }

  stats(): Promise<Stats<Stat>>;
  stats(opts: { extended: true }): Promise<Stats<ExtendedStat>>;
  stats(opts?: StatsOptions): Promise<Stats<Stat> | Stats<ExtendedStat>>;
  async stats(opts: StatsOptions = {}): Promise<Stats<Stat> | Stats<ExtendedStat>> {
    const now = this.clock.now();
    const names = [...this.queues.keys()].sort();
    const queues = names.map((name) => {
      const q = this.queues.get(name)!;
      reclaim(q, now);
      const s: Stat = { name, depth: q.items.length, enqueued: q.enqueued, dequeued: q.dequeued, drained: q.drained };
      return opts.extended ? { ...s, inFlight: q.leases.size, redelivered: q.redelivered } : s;
    });
    return { kind: 'stats', queues };
  }

  async close(): Promise<void> {
    this.queues.clear();
  }

  private queue(name: string): QueueState {
    checkName(name);
    const q = this.queues.get(name);
    if (q === undefined) throw new QueueNotFoundError();
    return q;
  }
}

function checkName(name: string): void {
  if (name.length === 0) throw new EmptyNameError();
}

/**
 * Put the items of expired leases back at the head of the queue, earliest expiry first in line.
 * Keeps depth == enqueued - dequeued - drained: a returned item is no longer dequeued.
 */
function reclaim(q: QueueState, now: number): void {
  if (q.nextExpiry > now) return;
  const expired: [string, Lease][] = [];
  let next = Infinity;
  for (const entry of q.leases) {
    if (entry[1].expiresAt <= now) expired.push(entry);
    else next = Math.min(next, entry[1].expiresAt);
  }
  expired.sort((a, b) => b[1].expiresAt - a[1].expiresAt);
  for (const [id, lease] of expired) {
    q.leases.delete(id);
    q.items.unshift(lease.message);
    q.dequeued--;
    q.redelivered++;
  }
  q.nextExpiry = next;
}
