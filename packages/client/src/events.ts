import { type Event, type KObject, rfc3339 } from '@kjobs/api';
import type { ApiClient } from './types.js';

/** Events waiting to be sent at most (client-go's broadcaster queues 1,000 and drops the rest). */
const MAX_QUEUED = 1_000;
/** Senders at once. */
const SENDERS = 8;
/** New Events one sender creates in one message, where the client can (createMany). */
const BATCH = 64;

/**
 * `<object>.<hex nanoseconds>`, as client-go names Events (`%v.%x` of the name and UnixNano):
 * the milliseconds of `at` and this process's sub-millisecond clock.
 */
export function eventName(objectName: string, at: Date): string {
  const ns = BigInt(at.getTime()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  return `${objectName}.${ns.toString(16)}`;
}

interface Pending {
  obj: KObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  at: Date;
}

/**
 * Records core/v1 Events about objects, as Kubernetes components do: one Event per
 * (object, type, reason, message), its `count` and `lastTimestamp` bumped on repeats. Writes are
 * fire-and-forget: losing an Event never fails a sync.
 *
 * Like client-go's event broadcaster, `record` only queues: a few senders drain the queue, so in a
 * burst (200 CronJobs due at once, a Job creating 100 pods) the writes the work needs reach the
 * api-server first and the Events follow; past 1,000 queued, new Events are dropped. A sender
 * starts on the next turn of the event loop, and with a client that has createMany (NATS) it
 * creates every new Event queued by then in one message: a pod's Pulled, Created and Started,
 * or a burst's Scheduled events, cost one request, not one each.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private readonly queue: Pending[] = [];
  private sending = 0;
  private scheduled = false;

  constructor(private readonly client: ApiClient, private readonly component: string, private readonly host?: string, private readonly now: () => Date = () => new Date()) {}

  record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.queue.length >= MAX_QUEUED) return;
    this.queue.push({ obj, type, reason, message, at: this.now() });
    if (this.scheduled || this.sending >= SENDERS) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // As many senders as the queue gives work to (one batch each with createMany, else one Event each).
      const per = this.client.createMany ? BATCH : 1;
      const want = Math.min(SENDERS - this.sending, Math.ceil(this.queue.length / per));
      for (let i = 0; i < want; i++) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending++;
    try {
      while (this.queue.length) {
        if (this.client.createMany) await this.sendBatch(this.queue.splice(0, BATCH));
        else {
          const p = this.queue.shift()!;
          await this.write(p.obj, p.type, p.reason, p.message, p.at).catch(() => undefined);
        }
      }
    } finally {
      this.sending--;
    }
  }

  /** Repeats are patched one by one; new Events are created in one message (a repeat within the batch waits for the next one). */
  private async sendBatch(batch: Pending[]): Promise<void> {
    const fresh: { key: string; ev: Event }[] = [];
    const keys = new Set<string>();
    const later: Pending[] = [];
    for (const p of batch) {
      const key = this.key(p.obj, p.type, p.reason, p.message);
      if (this.seen.has(key)) await this.write(p.obj, p.type, p.reason, p.message, p.at).catch(() => undefined);
      else if (keys.has(key)) later.push(p);
      else {
        keys.add(key);
        fresh.push({ key, ev: this.event(p.obj, p.type, p.reason, p.message, p.at) });
      }
    }
    if (fresh.length) {
      try {
        const created = await this.client.createMany!<Event>('Event', fresh.map((f) => f.ev));
        created.forEach((c, i) => {
          if (!(c instanceof Error)) this.remember(fresh[i]!.key, c);
        });
      } catch {
        // lost, as a failed create is
      }
    }
    if (later.length) this.queue.unshift(...later);
  }

  private key(obj: KObject, type: string, reason: string, message: string): string {
    return `${obj.metadata.uid}|${type}|${reason}|${message}`;
  }

  private remember(key: string, created: Event): void {
    this.seen.set(key, { name: created.metadata.name!, namespace: created.metadata.namespace || 'default', count: 1 });
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value!);
  }

  private event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, at: Date): Event {
    const namespace = obj.metadata.namespace || 'default';
    const ts = rfc3339(at);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(obj.metadata.name ?? '', at), namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
  }

  /** Same as record, awaitable (tests). */
  async write(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, at: Date = this.now()): Promise<void> {
    const key = this.key(obj, type, reason, message);
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await this.client.patch('Event', prev.namespace, prev.name, 'merge', { count: prev.count, lastTimestamp: rfc3339(at) });
        return;
      } catch {
        this.seen.delete(key);
      }
    }
    this.remember(key, await this.client.create<Event>('Event', this.event(obj, type, reason, message, at)));
  }
}
