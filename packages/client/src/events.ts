import { randomBytes } from 'node:crypto';
import type { Event, KObject } from '@kjobs/api';
import type { ApiClient } from './types.js';

/** Events waiting to be sent at most (client-go's broadcaster queues 1,000 and drops the rest). */
const MAX_QUEUED = 1_000;
/** Events in flight at once. */
const SENDERS = 8;

/**
 * Records core/v1 Events about objects, as Kubernetes components do: one Event per
 * (object, type, reason, message), its `count` and `lastTimestamp` bumped on repeats. Writes are
 * fire-and-forget: losing an Event never fails a sync.
 *
 * Like client-go's event broadcaster, `record` only queues: a few senders drain the queue, so in a
 * burst (200 CronJobs due at once, a Job creating 100 pods) the writes the work needs reach the
 * api-server first and the Events follow; past 1,000 queued, new Events are dropped.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private readonly queue: (() => Promise<void>)[] = [];
  private sending = 0;

  constructor(private readonly client: ApiClient, private readonly component: string, private readonly host?: string, private readonly now: () => Date = () => new Date()) {}

  record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.queue.length >= MAX_QUEUED) return;
    // The timestamp is taken now, not when the Event is sent.
    const at = this.now();
    this.queue.push(() => this.write(obj, type, reason, message, at));
    if (this.sending < SENDERS) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending++;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await next().catch(() => undefined);
    } finally {
      this.sending--;
    }
  }

  /** Same as record, awaitable (tests). */
  async write(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, at: Date = this.now()): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const ts = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const key = `${obj.metadata.uid}|${type}|${reason}|${message}`;
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await this.client.patch('Event', prev.namespace, prev.name, 'merge', { count: prev.count, lastTimestamp: ts });
        return;
      } catch {
        this.seen.delete(key);
      }
    }
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
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
    const created = await this.client.create<Event>('Event', ev);
    this.seen.set(key, { name: created.metadata.name!, namespace, count: 1 });
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value!);
  }
}
