import { RESOURCES, type ResourceInfo } from '@kjobs/api';
import { encodeJson, encodeWatchMessage, type Heartbeat, type NatsConnection, type Subjects, type WatchMessage } from '@kjobs/bus';
import type { ChangeRecord, Store } from '@kjobs/store';
import type { Logger } from 'pino';

type Listener = (rec: ChangeRecord) => void;

/** Whether this api-server publishes to NATS now (RelayLease); without one it always does. */
export interface RelayGate {
  isHeld(): boolean;
}

/**
 * After a read that found changes, the relay waits this long before the next one, so that under
 * load each XREAD brings several changes, not one or two: a round trip to Redis costs the
 * api-server and Redis a write and a wake-up each (0.1-0.3 ms of CPU on these machines). The
 * first change after a quiet spell still goes out at once; a busy stream's waits at most this.
 */
const GATHER_MS = 2;

/**
 * The relay: tails every kind's change log in Redis (the outbox) and fans each change out, in
 * order, to NATS (`kjobs.watch.<group>.<resource>.<ns>`) and to this process's HTTP watches. A
 * heartbeat per kind every second carries the last relayed revision, so a subscriber that lost a
 * message notices and repairs from the log.
 *
 * With several api-servers each one tails the log and feeds its own HTTP watches, but only the
 * holder of the relay lease (`gate`, relay-lease.ts) publishes to NATS, so each change goes out
 * once. A new holder publishes from its own cursor on; what fell between the old holder's last
 * message and the new one's first is repaired by subscribers from the log (the first message's
 * `prev`, or the heartbeat, is past their `last`). Were two to publish at once, subscribers would
 * drop the revisions they already have.
 */
export class WatchHub {
  private readonly listeners = new Map<ResourceInfo, Set<Listener>>();
  private readonly cursors = new Map<ResourceInfo, string>();
  private readonly ac = new AbortController();
  private hbTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Revision at which relaying started: everything up to it is in the log for catch-up. */
  startRevision = '0';

  constructor(
    private readonly store: Store, private readonly nc: NatsConnection | undefined, private readonly subjects: Subjects,
    private readonly log?: Logger, private readonly gate?: RelayGate,
  ) {}

  async start(): Promise<void> {
    this.startRevision = await this.store.revision();
    for (const r of RESOURCES) this.cursors.set(r, this.startRevision);
    this.running = this.loop();
    this.hbTimer = setInterval(() => this.heartbeat(), 1000);
    this.hbTimer.unref();
  }

  async stop(): Promise<void> {
    this.ac.abort();
    clearInterval(this.hbTimer);
    await this.running?.catch(() => undefined);
  }

  /** Listen to one kind's changes in this process (call before catching up: no change falls between). */
  subscribe(res: ResourceInfo, fn: Listener): () => void {
    let set = this.listeners.get(res);
    if (!set) this.listeners.set(res, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** The last revision relayed for a kind. */
  cursor(res: ResourceInfo): string {
    return this.cursors.get(res) ?? this.startRevision;
  }

  private async loop(): Promise<void> {
    let delay = 50;
    while (!this.ac.signal.aborted) {
      try {
        const recs = await this.store.tail(this.cursors, 1000, this.ac.signal);
        for (const rec of recs) this.dispatch(rec);
        delay = 50;
        if (recs.length) await new Promise((r) => setTimeout(r, GATHER_MS));
      } catch (e) {
        if (this.ac.signal.aborted) return;
        this.log?.warn({ err: e }, 'relay: reading the change log failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  /** The connection to publish on, when this api-server publishes now. */
  private publisher(): NatsConnection | undefined {
    return this.nc && !this.nc.isClosed() && (this.gate?.isHeld() ?? true) ? this.nc : undefined;
  }

  private dispatch(rec: ChangeRecord): void {
    if (BigInt(rec.rv) <= BigInt(this.cursors.get(rec.resource) ?? '0')) return;
    this.cursors.set(rec.resource, rec.rv);
    // Secrets never go out on the bus: every NATS client could subscribe to them, past the
    // authorizer. Watches of Secrets are served by this process's HTTP watchers only.
    const nc = this.publisher();
    if (nc && !isSecret(rec.resource)) {
      try {
        const raw = rec.raw;
        if (raw) {
          nc.publish(this.subjects.watch(rec.resource, raw.namespace), encodeWatchMessage(rec.type, rec.rv, rec.prev, raw.json));
        } else {
          const msg: WatchMessage = { type: rec.type, rv: rec.rv, prev: rec.prev, object: rec.object };
          nc.publish(this.subjects.watch(rec.resource, rec.object.metadata.namespace ?? ''), encodeJson(msg));
        }
      } catch (e) {
        this.log?.warn({ err: e }, 'relay: publish failed (subscribers will repair from the log)');
      }
    }
    for (const fn of this.listeners.get(rec.resource) ?? []) fn(rec);
  }

  /** Publish every kind's heartbeat now (also every second): a new relay holder calls it at once. */
  heartbeat(): void {
    const nc = this.publisher();
    if (!nc) return;
    for (const r of RESOURCES) {
      const hb: Heartbeat = { last: this.cursors.get(r) ?? this.startRevision };
      try {
        nc.publish(this.subjects.heartbeat(r), encodeJson(hb));
      } catch {
        /* next beat */
      }
    }
  }
}

/** core/v1 Secrets: kept off the NATS watch subjects (docs/secrets.md). */
function isSecret(res: { group: string; resource: string }): boolean {
  return res.group === '' && res.resource === 'secrets';
}
