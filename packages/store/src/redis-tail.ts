import type { ResourceInfo } from '@kjobs/api';
import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.js';
import type { ChangeRecord } from './store.js';
import { NotReplicatedError } from './replica-wait.js';
import { streamReadPairs, toChangeRecord } from './stream-entries.js';

/**
 * Blocking reads of several change logs (XREAD BLOCK) on dedicated connections duplicated from the
 * store's connection, so a blocked read never delays ordinary commands. Each concurrent `tail`
 * borrows its own connection. Aborting a read disconnects its connection (a blocked XREAD cannot
 * be cancelled otherwise without racing the command's arrival); the next read opens a new one.
 */
export class StreamTailer {
  private readonly idle: Redis[] = [];
  private readonly open = new Set<Redis>();
  /** Closes of each connection: commands that spanned one may have gone to two servers. */
  private readonly closes = new WeakMap<Redis, number>();
  private closed = false;

  constructor(private readonly redis: Redis, private readonly keys: StoreKeys, private readonly count: number) {}

  /**
   * Changes after each cursor (a revision, exclusive; "$": only new ones), at most `count` per
   * kind, waiting up to blockMs (0: don't wait) for the first one. Returns [] on timeout, on abort and after close().
   * Records are ordered by revision within each kind. `confirm`, when given, runs on the same
   * connection once records were read (the replication barrier, `barrierOn`): they are returned
   * only if it resolves and the connection did not close in between — else NotReplicatedError,
   * and the caller reads again. A barrier on another connection could run on the primary a
   * failover just promoted, which never had what this one read from the old primary (the
   * Sentinel e2e test's watcher was sent three creates that had failed with 503, and lost).
   */
  async tail(cursors: Map<ResourceInfo, string>, blockMs: number, signal?: AbortSignal, confirm?: (conn: Redis) => Promise<void>): Promise<ChangeRecord[]> {
    if (this.closed || signal?.aborted || cursors.size === 0) return [];
    const byKey = new Map<string, ResourceInfo>();
    const ids: string[] = [];
    for (const [res, rv] of cursors) {
      byKey.set(this.keys.log(res), res);
      ids.push(rv === '$' ? '$' : `${rv}-0`);
    }
    const args: (string | number)[] = ['COUNT', this.count];
    if (blockMs > 0) args.push('BLOCK', Math.ceil(blockMs));
    args.push('STREAMS', ...byKey.keys(), ...ids);

    const conn = this.borrow();
    const epoch = this.closes.get(conn) ?? 0;
    const onAbort = () => conn.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    let reply: unknown;
    try {
      reply = await conn.call('XREAD', ...args);
    } catch (e) {
      this.discard(conn);
      if (this.closed || signal?.aborted) return [];
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }

    const out: ChangeRecord[] = [];
    for (const [key, entries] of streamReadPairs(reply)) {
      const res = byKey.get(key);
      if (res) for (const e of entries) out.push(toChangeRecord(res, e));
    }
    if (out.length && confirm && !signal?.aborted && !this.closed) {
      try {
        await confirm(conn);
        if ((this.closes.get(conn) ?? 0) !== epoch) throw new NotReplicatedError('the connection to the Redis primary was lost before a replica confirmed what it read');
      } catch (e) {
        this.discard(conn);
        throw e;
      }
    }
    if (signal?.aborted || this.closed) this.discard(conn);
    else this.idle.push(conn);
    return out.sort((a, b) => (BigInt(a.rv) < BigInt(b.rv) ? -1 : 1));
  }

  /** Disconnect every blocking connection; later tails return []. */
  close(): void {
    this.closed = true;
    for (const c of this.open) c.disconnect();
    this.open.clear();
    this.idle.length = 0;
  }

  private borrow(): Redis {
    const c = this.idle.pop();
    if (c) return c;
    const fresh = this.redis.duplicate();
    // A lost connection fails its XREAD (the caller retries); 'error' would only repeat it.
    fresh.on('error', () => undefined);
    fresh.on('close', () => this.closes.set(fresh, (this.closes.get(fresh) ?? 0) + 1));
    this.open.add(fresh);
    return fresh;
  }

  private discard(conn: Redis): void {
    conn.disconnect();
    this.open.delete(conn);
  }
}
