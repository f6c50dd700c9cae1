import { randomBytes } from 'node:crypto';
import type { Event, KObject } from '@kjobs/api';
import type { ApiClient } from './types.js';

/**
 * Records core/v1 Events about objects, as Kubernetes components do: one Event per
 * (object, type, reason, message), its `count` and `lastTimestamp` bumped on repeats. Writes are
 * fire-and-forget: losing an Event never fails a sync.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();

  constructor(private readonly client: ApiClient, private readonly component: string, private readonly host?: string, private readonly now: () => Date = () => new Date()) {}

  record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.write(obj, type, reason, message).catch(() => undefined);
  }

  /** Same as record, awaitable (tests). */
  async write(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const ts = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
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
