import type { Redis } from 'ioredis';

/** Acknowledge a write only once `replicas` replicas have it, waiting at most `timeoutMs`. */
export interface Durability {
  replicas: number;
  timeoutMs: number;
}

/** Fewer replicas than asked confirmed a write within the timeout: the write is not acknowledged. */
export class ReplicationTimeoutError extends Error {
  constructor(readonly acked: number, readonly wanted: number, readonly timeoutMs: number) {
    super(`${acked} of ${wanted} Redis replica(s) confirmed the write within ${timeoutMs} ms`);
    this.name = 'ReplicationTimeoutError';
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
  private pending?: Promise<void>;

  constructor(private readonly redis: Redis, readonly durability: Durability) {}

  /** Resolves when the replicas have every write this connection made before the call; rejects with ReplicationTimeoutError. */
  sync(): Promise<void> {
    if (this.pending) return this.pending;
    const { replicas, timeoutMs } = this.durability;
    const p = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pending = undefined;
        this.redis.call('WAIT', replicas, timeoutMs).then((n) => {
          const acked = Number(n);
          if (acked >= replicas) resolve();
          else reject(new ReplicationTimeoutError(acked, replicas, timeoutMs));
        }, reject);
      });
    });
    this.pending = p;
    return p;
  }

  /** Resolves when every change made (by anyone) before the call is on the replicas. */
  async barrier(key: string): Promise<void> {
    await this.redis.incrby(key, 0);
    await this.sync();
  }
}
