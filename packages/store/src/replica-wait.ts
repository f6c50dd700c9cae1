import type { Redis } from 'ioredis';

/** Acknowledge a write only once `replicas` replicas have it, waiting at most `timeoutMs`. */
export interface Durability {
  replicas: number;
  timeoutMs: number;
}

/** A change the replicas did not confirm: it is not acknowledged (it may still have been applied). */
export class NotReplicatedError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'NotReplicatedError';
  }
}

/**
 * Group commit for Redis replication (docs/reliability.md, Redis failover). `sync()` after a
 * write's reply resolves once the replicas have that write: Redis' `WAIT n timeout` waits for this
 * connection's last write, so one WAIT, sent at the end of the event-loop turn, covers every write
 * of that connection whose reply arrived before it. WAIT blocks its connection until it returns,
 * so the connection should carry writes only (reads would queue behind it); writes sent while a
 * WAIT is pending run right after it and are covered by the next one.
 *
 * `barrier()` is the same for a reader: a no-op write (INCRBY key 0, still replicated) moves this
 * connection's offset past everything any client wrote before it, so after the WAIT every change
 * a read made before the barrier saw is on the replicas. WAIT after a read alone would not do: a
 * connection's WAIT offset only moves with its own writes (checked on Redis 7.0).
 */
export class ReplicaWait {
  private pending?: { epoch: number; done: Promise<void> };
  /** Counts the connection's closes: a WAIT answers only for writes made on its own connection. */
  private epoch = 0;

  constructor(private readonly redis: Redis, readonly durability: Durability) {
    redis.on('close', () => this.epoch++);
  }

  /** Resolves when the replicas have every write this connection made before the call; rejects with NotReplicatedError. */
  sync(): Promise<void> {
    if (this.pending?.epoch === this.epoch) return this.pending.done;
    const { replicas, timeoutMs } = this.durability;
    const epoch = this.epoch;
    const done = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        if (this.pending?.epoch === epoch) this.pending = undefined;
        this.redis.call('WAIT', replicas, timeoutMs).then((n) => {
          const acked = Number(n);
          // Why: ioredis resends a command whose connection died on the next connection (to the
          // new primary after a failover), where WAIT waits for nothing that connection wrote.
          if (this.epoch !== epoch) reject(new NotReplicatedError('the connection to the Redis primary was lost before a replica confirmed it'));
          else if (acked >= replicas) resolve();
          else reject(new NotReplicatedError(`${acked} of ${replicas} Redis replica(s) confirmed it within ${timeoutMs} ms`));
        }, reject);
      });
    });
    this.pending = { epoch, done };
    return done;
  }

  /** Resolves when every change made (by anyone) before the call is on the replicas. */
  async barrier(key: string): Promise<void> {
    const epoch = this.epoch;
    await this.redis.incrby(key, 0);
    await this.sync();
    // The INCRBY resent after a reconnect ran on the new primary: the WAIT vouches for nothing before.
    if (this.epoch !== epoch) throw new NotReplicatedError('the connection to the Redis primary was lost before a replica confirmed it');
  }
}

/**
 * `barrier` on the connection a read was made on, for a connection of the caller's own (a WAIT
 * blocks it): the read's changes are on the replicas once it resolves — provided the connection
 * did not close between the read and the WAIT (the caller checks: ioredis would have resent the
 * commands to whichever server it reconnected to, where the WAIT vouches for nothing read before).
 */
export async function barrierOn(conn: Redis, key: string, d: Durability): Promise<void> {
  await conn.incrby(key, 0);
  const acked = Number(await conn.call('WAIT', d.replicas, d.timeoutMs));
  if (acked < d.replicas) throw new NotReplicatedError(`${acked} of ${d.replicas} Redis replica(s) confirmed it within ${d.timeoutMs} ms`);
}

/** A connection for writes only, duplicated from `redis` (a WAIT blocks its connection until it returns). */
export function writeConnection(redis: Redis): Redis {
  const w = redis.duplicate();
  // Its failures reach the writes that were waiting on it; 'error' only reports reconnects.
  w.on('error', () => undefined);
  return w;
}
