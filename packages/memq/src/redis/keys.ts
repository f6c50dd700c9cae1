/**
 * The one place that knows the Redis key layout of the MemQ broker. With prefix `P` (default
 * `memq:`):
 *
 * | key | type | holds |
 * |---|---|---|
 * | `P queues` | hash | queue name → the queue's key base `P q:<escaped name>` (the set of queues) |
 * | `<base>:meta` | hash | counters: enqueued, dequeued, drained, redelivered |
 * | `<base>:items` | list | the FIFO of message wire forms (RPUSH at the tail, LPOP at the head) |
 * | `<base>:leases` | zset | leaseId scored by its expiry (epoch ms) |
 * | `<base>:leased` | hash | leaseId → the leased message's wire form |
 *
 * Queue names are arbitrary (any chars but `/`), so `%` and `:` are percent-escaped in keys to keep
 * one queue's keys from colliding with another's.
 */

/** The four keys of one queue, in the order the Lua scripts take them. */
export interface QueueKeys {
  meta: string;
  items: string;
  leases: string;
  leased: string;
}

/** Key suffixes appended to a queue's base, in QueueKeys order (also passed to stats.lua). */
export const QUEUE_KEY_SUFFIXES = [':meta', ':items', ':leases', ':leased'] as const;

/** Builds every MemQ key under one prefix. */
export class MemqKeys {
  /** The hash of all queues. */
  readonly queues: string;

  constructor(readonly prefix = 'memq:') {
    this.queues = `${prefix}queues`;
  }

  /** The key base of a queue (stored as the value in `queues`). */
  queueBase(name: string): string {
    return `${this.prefix}q:${escapeName(name)}`;
  }

  /** The keys of a queue. */
  queue(name: string): QueueKeys {
    const base = this.queueBase(name);
    return { meta: base + ':meta', items: base + ':items', leases: base + ':leases', leased: base + ':leased' };
  }
}

function escapeName(name: string): string {
  return name.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}
