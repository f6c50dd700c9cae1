import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { StoreKeys } from '@kjobs/store';
import { LuaScript } from '@kjobs/store/lua';
import type { Logger } from 'pino';

const LUA = new URL('./lua/', import.meta.url);

/** Options of the relay lease. */
export interface RelayLeaseOptions {
  redis: Redis;
  /** The store's key prefix: the lease is `{prefix}:relay-lease`, beside the store's keys. */
  prefix: string;
  /** This api-server's id in the lease (default a random UUID). */
  id?: string;
  /** How long a taken or renewed lease lasts (default 2000 ms). */
  durationMs?: number;
  /** How often the lease is taken or renewed (default 500 ms). */
  renewMs?: number;
  log?: Logger;
}

/**
 * Which of several api-servers publishes watch events and heartbeats to NATS: the holder of a
 * lease in Redis (one key, taken with SET PX when missing, renewed with PEXPIRE by its holder,
 * one Lua script each time). Every api-server tries every `renewMs`; a holder that dies stops
 * renewing and the key expires after at most `durationMs`, so another one publishes within
 * `durationMs + renewMs`. Subscribers repair what fell between from the log (a heartbeat or a
 * `prev` past their `last` shows the gap), as they do for any lost message.
 *
 * A holder counts the lease as its own until `durationMs` after it *sent* its last successful
 * renewal, which is never later than Redis expires it; a holder cut off from Redis therefore
 * stops publishing by itself. Two publishers at once (a holder stalled past its lease while the
 * next took over) only send duplicates, which subscribers drop by resourceVersion.
 */
export class RelayLease {
  readonly id: string;
  private readonly key: string;
  private readonly durationMs: number;
  private readonly renewMs: number;
  private readonly take = LuaScript.load('relay-lease', LUA);
  private readonly release = LuaScript.load('relay-release', LUA);
  /** performance.now() until which the lease is ours. */
  private heldUntil = 0;
  private wasHeld = false;
  private renewing = false;
  private timer?: NodeJS.Timeout;
  private onTaken?: () => void;

  constructor(private readonly o: RelayLeaseOptions) {
    this.id = o.id ?? randomUUID();
    this.key = `${new StoreKeys(o.prefix).tag}:relay-lease`;
    this.durationMs = o.durationMs ?? 2000;
    this.renewMs = o.renewMs ?? 500;
  }

  /**
   * Try once now (so a lone api-server publishes from its first change), then every renewMs;
   * `onTaken` runs each time this api-server starts holding the lease.
   */
  async start(onTaken?: () => void): Promise<void> {
    this.onTaken = onTaken;
    await this.renew();
    this.timer = setInterval(() => void this.renew(), this.renewMs);
    this.timer.unref();
  }

  /** Stop renewing and give the lease up if held (bounded: a Redis that does not answer is not waited for). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const held = this.isHeld();
    this.heldUntil = 0;
    this.report();
    if (!held) return;
    await Promise.race([
      this.release.run(this.o.redis, [this.key], [this.id]).catch(() => undefined),
      new Promise((r) => setTimeout(r, 500).unref()),
    ]);
  }

  /** True while this api-server holds the lease. */
  isHeld(): boolean {
    return performance.now() < this.heldUntil;
  }

  private async renew(): Promise<void> {
    // A renewal still waiting on Redis (down, reconnecting) is not doubled; the lease lapses by time.
    if (this.renewing) return this.report();
    this.renewing = true;
    const sentAt = performance.now();
    try {
      const r = await this.take.run(this.o.redis, [this.key], [this.id, this.durationMs]);
      this.heldUntil = Number(r) === 1 ? sentAt + this.durationMs : 0;
    } catch (e) {
      this.o.log?.warn({ err: e }, 'relay lease: renewal failed');
    } finally {
      this.renewing = false;
    }
    this.report();
  }

  private report(): void {
    const held = this.isHeld();
    if (held === this.wasHeld) return;
    this.wasHeld = held;
    this.o.log?.info({ id: this.id }, held ? 'relay lease taken: publishing watch events to NATS' : 'relay lease lost: not publishing to NATS');
    if (held) this.onTaken?.();
  }
}
