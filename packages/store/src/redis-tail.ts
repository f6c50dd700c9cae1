import type { ResourceInfo } from '@kjobs/api';
import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.js';
import type { ChangeRecord } from './store.js';
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
  private closed = false;

  constructor(private readonly redis: Redis, private readonly keys: StoreKeys, private readonly count: number) {}

  /**
   * Changes after each cursor (a revision, exclusive; "$": only new ones), at most `count` per
   * kind, waiting up to blockMs (0: don't wait) for the first one. Returns [] on timeout, on abort and after close().
   * Records are ordered by revision within each kind.
   */
  async tail(cursors: Map<ResourceInfo, string>, blockMs: number, signal?: AbortSignal): Promise<ChangeRecord[]> {
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
    if (signal?.aborted || this.closed) this.discard(conn);
    else this.idle.push(conn);

    const out: ChangeRecord[] = [];
    for (const [key, entries] of streamReadPairs(reply)) {
      const res = byKey.get(key);
      if (res) for (const e of entries) out.push(toChangeRecord(res, e));
    }
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
    this.open.add(fresh);
    return fresh;
  }

  private discard(conn: Redis): void {
    conn.disconnect();
    this.open.delete(conn);
  }
}
