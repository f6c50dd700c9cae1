/**
 * The MemQ data model, exactly as kuard serializes it (`pkg/memq/types.go`), plus the lease
 * extension kjobs adds. Field order of every interface is the JSON key order on the wire.
 */

/** One work item. `id` is 32 lowercase hex chars; `creationTimestamp` is Go RFC 3339 (nanos, zeros trimmed). */
export interface Message {
  kind: 'message';
  id: string;
  body: string;
  creationTimestamp: string;
}

/** Counters of one queue as kuard reports them. Invariant: depth == enqueued - dequeued - drained. */
export interface Stat {
  name: string;
  depth: number;
  enqueued: number;
  dequeued: number;
  drained: number;
}

/**
 * A Stat with the lease counters, only returned when asked for (`stats({ extended: true })`).
 * `inFlight`: leased, neither acked nor expired-and-returned yet (counted in `dequeued`).
 * `redelivered`: leases that expired and put their item back at the head of the queue.
 */
export interface ExtendedStat extends Stat {
  inFlight: number;
  redelivered: number;
}

/** The stats document. `queues` is sorted by name (kuard's order is random; sorted is one of them). */
export interface Stats<S extends Stat = Stat> {
  kind: 'stats';
  queues: S[];
}

/** A message handed out under a lease: it comes back to the queue unless acked before `expiresAt`. */
export interface LeasedMessage {
  message: Message;
  /** 32 hex chars; pass to `ack`. */
  leaseId: string;
  /** Epoch milliseconds after which the lease is void and the item is redelivered. */
  expiresAt: number;
}

/**
 * One MemQ broker, in memory (kuard) or in Redis (services/memq). Every method is atomic with
 * respect to the others on the same broker. Errors are the MemqError family (errors.ts):
 * QueueNotFoundError, QueueExistsError, EmptyNameError, LeaseNotFoundError.
 *
 * Plain `dequeue` is destructive, as in kuard. The lease mode is opt-in: `dequeueWithLease` hides
 * the item until `ack` or until the lease expires; an expired lease puts its item back at the
 * head of the queue the next time anyone dequeues, acks or asks for stats on that broker
 * (lazily, so no timer is needed and a restart loses nothing).
 */
export interface MemqBroker {
  /** Create an empty queue with zeroed counters; QueueExistsError if it exists (not idempotent, like kuard). */
  createQueue(name: string): Promise<void>;
  /** Remove the queue with its items, leases and counters; QueueNotFoundError if absent. */
  deleteQueue(name: string): Promise<void>;
  /** Drop every queued item: drained += depth, depth = 0. In-flight leases are kept. */
  drain(name: string): Promise<void>;
  /** Append an item; the body is kept byte for byte as kuard does (invalid UTF-8 reads back as U+FFFD). */
  enqueue(name: string, body: Buffer | string): Promise<Message>;
  /** Take the head item, or undefined when the queue is empty. */
  dequeue(name: string): Promise<Message | undefined>;
  /** Take the head item under a lease of `leaseMs` milliseconds, or undefined when empty. */
  dequeueWithLease(name: string, leaseMs: number): Promise<LeasedMessage | undefined>;
  /** Settle a lease; LeaseNotFoundError if it is unknown, already acked or expired. */
  ack(name: string, leaseId: string): Promise<void>;
  /** Every queue's counters, sorted by name; the lease counters only with `{ extended: true }`. */
  stats(): Promise<Stats<Stat>>;
  stats(opts: { extended: true }): Promise<Stats<ExtendedStat>>;
  stats(opts?: StatsOptions): Promise<Stats<Stat> | Stats<ExtendedStat>>;
  /** Release resources the broker owns (never an injected connection). */
  close(): Promise<void>;
}

/** Options of `MemqBroker.stats`. */
export interface StatsOptions {
  /** Add `inFlight` and `redelivered` to each queue. Default false (kuard's exact shape). */
  extended?: boolean;
}
