import type { Redis } from 'ioredis';
// Not '@kjobs/store/redis': that entry imports ioredis itself, and the built-in kuard (which
// bundles @kjobs/memq for its in-memory broker) must not carry ioredis (packages/kuard/scripts/build.mjs).
import { ReplicaWait, NotReplicatedError, type Durability } from '@kjobs/store/replica-wait';
import { EmptyNameError, errorFromCode, MemqError } from '../errors.js';
import { systemClock, type Clock } from '../clock.js';
import { newId } from '../ids.js';
import { createMessage, messageFromWire, messageWire } from '../message.js';
import type { ExtendedStat, LeasedMessage, MemqBroker, Message, Stat, Stats, StatsOptions } from '../types.js';
import { MemqKeys, QUEUE_KEY_SUFFIXES, type QueueKeys } from './keys.js';
import { memqScripts, type LuaScript, type ScriptName } from './scripts.js';

/** Options of the Redis broker. */
export interface RedisBrokerOptions {
  /** A connected ioredis client; the broker never closes it (its owner does). */
  redis: Redis;
  /** Key prefix, so several brokers (and tests) share one Redis. Default `memq:`. */
  prefix?: string;
  /** Time source for timestamps and leases. Default: the system clock. */
  clock?: Clock;
  /**
   * Coalesce the script calls issued in one event-loop turn into one socket write (cork the
   * connection, uncork in setImmediate). Default true. See `coalesce()`.
   */
  coalesceWrites?: boolean;
  /**
   * Answer an operation that changed a queue only once this many replicas have it (one WAIT per
   * loop turn on the broker's connection; docs/reliability.md, Redis failover); when they do not
   * confirm in time the operation fails with 503, except a dequeue, which answers with its item
   * after the timeout. Default: none (answered when the primary has it).
   */
  durability?: Durability;
}

/**
 * The durable MemQ broker: every operation is one atomic Lua script run with one EVALSHA
 * (`src/lua/*.lua`), so queues, their FIFO order and counters survive a restart of any
 * number of service processes sharing the prefix. Messages are stored in their kuard wire form;
 * ids and timestamps are made here, before the script runs.
 */
export class RedisBroker implements MemqBroker {
  private readonly redis: Redis;
  private readonly keys: MemqKeys;
  private readonly clock: Clock;
  private readonly scripts: Record<ScriptName, LuaScript>;
  private readonly keyCache = new Map<string, QueueKeys>();
  private readonly coalesceWrites: boolean;
  private corked = false;
  private readonly replicas?: ReplicaWait;

  constructor(opts: RedisBrokerOptions) {
    this.redis = opts.redis;
    this.keys = new MemqKeys(opts.prefix);
    this.clock = opts.clock ?? systemClock;
    this.scripts = memqScripts();
    this.coalesceWrites = opts.coalesceWrites ?? true;
    if (opts.durability) this.replicas = new ReplicaWait(this.redis, opts.durability);
  }

  async createQueue(name: string): Promise<void> {
    const k = this.queueKeys(name);
    await this.run('create', [this.keys.queues, k.meta, k.items, k.leases, k.leased], [name, this.keys.queueBase(name)]);
  }

  async deleteQueue(name: string): Promise<void> {
    const k = this.queueKeys(name);
    await this.run('delete', [this.keys.queues, k.meta, k.items, k.leases, k.leased], [name]);
  }

  async drain(name: string): Promise<void> {
    const k = this.queueKeys(name);
    await this.run('drain', [k.meta, k.items], []);
  }

  async enqueue(name: string, body: Buffer | string): Promise<Message> {
    const k = this.queueKeys(name);
    const m = createMessage(body, this.clock.now());
    await this.run('enqueue', [k.meta, k.items], [messageWire(m)]);
    return m;
  }

  async dequeue(name: string): Promise<Message | undefined> {
    const k = this.queueKeys(name);
    const wire = await this.run('dequeue', [k.meta, k.items, k.leases, k.leased], [this.clock.now(), '', 0]);
    return typeof wire === 'string' ? messageFromWire(wire) : undefined;
  }

  async dequeueWithLease(name: string, leaseMs: number): Promise<LeasedMessage | undefined> {
    const k = this.queueKeys(name);
    const now = this.clock.now();
    const leaseId = newId();
    const expiresAt = now + leaseMs;
    const wire = await this.run('dequeue', [k.meta, k.items, k.leases, k.leased], [now, leaseId, expiresAt]);
    return typeof wire === 'string' ? { message: messageFromWire(wire), leaseId, expiresAt } : undefined;
  }

  async ack(name: string, leaseId: string): Promise<void> {
    const k = this.queueKeys(name);
    await this.run('ack', [k.meta, k.items, k.leases, k.leased], [this.clock.now(), leaseId]);
  }

  stats(): Promise<Stats<Stat>>;
  stats(opts: { extended: true }): Promise<Stats<ExtendedStat>>;
  stats(opts?: StatsOptions): Promise<Stats<Stat> | Stats<ExtendedStat>>;
  async stats(opts: StatsOptions = {}): Promise<Stats<Stat> | Stats<ExtendedStat>> {
    const flat = (await this.run('stats', [this.keys.queues], [this.clock.now(), ...QUEUE_KEY_SUFFIXES])) as (string | number)[];
    const queues: (Stat | ExtendedStat)[] = [];
    for (let i = 0; i + 5 < flat.length; i += 6) {
      const [name, enqueued, dequeued, drained, redelivered, inFlight] = flat.slice(i, i + 6) as [string, number, number, number, number, number];
      const s: Stat = { name, depth: enqueued - dequeued - drained, enqueued, dequeued, drained };
      queues.push(opts.extended ? { ...s, inFlight, redelivered } : s);
    }
    queues.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { kind: 'stats', queues };
  }

  /** Nothing to release: the Redis connection belongs to the caller. */
  async close(): Promise<void> {}

  private queueKeys(name: string): QueueKeys {
    if (name.length === 0) throw new EmptyNameError();
    let k = this.keyCache.get(name);
    if (k === undefined) {
      k = this.keys.queue(name);
      // A small bounded cache: a busy queue's keys are built once, not on every request.
      if (this.keyCache.size >= 1024) this.keyCache.clear();
      this.keyCache.set(name, k);
    }
    return k;
  }

  /**
   * Why: without it every request costs its own write(2) to Redis, and on a busy server the
   * syscalls, not Redis or JavaScript, bound throughput (measured: about 3x fewer requests/s).
   * Requests parsed in one poll phase of the event loop issue their EVALSHAs into a corked
   * socket; setImmediate (the check phase, right after that poll phase) uncorks it, so they
   * leave in one writev. Latency cost: at most one loop turn.
   */
  private coalesce(): void {
    if (this.corked || !this.coalesceWrites) return;
    const stream = this.redis.stream;
    if (!stream || stream.destroyed || typeof stream.cork !== 'function') return;
    stream.cork();
    this.corked = true;
    setImmediate(() => {
      this.corked = false;
      stream.uncork();
    });
  }

  /** Run a script and map a negative integer reply to its MemqError. */
  private async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    this.coalesce();
    const reply = await this.scripts[name].run(this.redis, keys, args);
    if (typeof reply === 'number' && reply < 0) throw errorFromCode(reply);
    if (reply === null) throw new MemqError(`script ${name} returned nil`, 500);
    // A dequeue has removed its item when the replicas fail to confirm it: answering 503 would
    // lose the item, so it is answered (a failover may then hand it out again: at least once).
    if (this.replicas && name !== 'stats') await this.replicas.sync().catch(name === 'dequeue' ? () => undefined : replicationFailure);
    return reply;
  }
}

/** A change the replicas did not confirm in time → 503 saying so; other errors pass through. */
function replicationFailure(e: unknown): never {
  if (!(e instanceof NotReplicatedError)) throw e;
  throw new MemqError(`the change reached the Redis primary but is not acknowledged: ${e.message} (KJOBS_REDIS_WAIT_REPLICAS, KJOBS_REDIS_WAIT_TIMEOUT_MS); it may be lost if the primary fails now`, 503);
}
