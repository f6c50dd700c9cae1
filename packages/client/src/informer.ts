import { ApiError, revisionAfter, type KObject, type WatchEvent, objectKey } from '@kjobs/api';
import type { ApiClient, ListOptions, WatchHandle } from './types.js';

/** An object's cache and queue key: @kjobs/api's `objectKey` (client-go's `MetaNamespaceKeyFunc`). */
export { objectKey as keyOf } from '@kjobs/api';

/** Event handlers of an informer. They should only enqueue keys. */
export interface InformerHandlers<T extends KObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/** Options of an informer. */
export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object to `update` this often (0: never; default 0). */
  resyncMs?: number;
  /** Called on list/watch failures (they are retried with backoff). */
  onError?: (e: unknown) => void;
}

/** An object's resourceVersion ("0" when absent), to compare with revisionAfter. */
export function rvOf(o: KObject): string {
  return o.metadata.resourceVersion ?? '0';
}

/**
 * A list+watch cache of one kind (client-go's shared informer): lists, then watches from the
 * list's resourceVersion; applies events newer-rv-wins; relists after 410 or a broken watch and
 * reports vanished objects as deletes. Cached objects are frozen: never mutate them.
 */
export class Informer<T extends KObject = KObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly indexers = new Map<string, (o: T) => string[]>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private stopped = false;
  private watch?: WatchHandle;
  private resync?: NodeJS.Timeout;

  constructor(private readonly client: ApiClient, readonly kind: string, private readonly opts: InformerOptions = {}) {}

  /** Register handlers (before or after start; late ones get `add` for every cached object). */
  on(h: InformerHandlers<T>): this {
    this.handlers.push(h);
    if (this.synced) for (const o of this.items.values()) h.add?.(o);
    return this;
  }

  /** Add an index: `fn` maps an object to index values (e.g. owner uid). */
  addIndex(name: string, fn: (o: T) => string[]): this {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indexes.set(name, idx);
    for (const [k, o] of this.items) for (const v of fn(o)) addTo(idx, v, k);
    return this;
  }

  /** Start list+watch in the background; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    void this.run();
    if (this.opts.resyncMs) {
      this.resync = setInterval(() => {
        for (const o of this.items.values()) for (const h of this.handlers) h.update?.(o, o);
      }, this.opts.resyncMs);
    }
    await this.waitForSync();
  }

  /** Resolves after the first list has been applied. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    clearInterval(this.resync);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** The values index `name` holds objects under (client-go's ListIndexFuncValues). */
  indexValues(name: string): string[] {
    return [...(this.indexes.get(name)?.keys() ?? [])];
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  private async run(): Promise<void> {
    let delay = 100;
    while (!this.stopped) {
      try {
        const rv = await this.relist();
        delay = 100;
        const err = await this.watchFrom(rv);
        if (err && !(err instanceof ApiError && err.code === 410)) throw err;
      } catch (e) {
        if (this.stopped) return;
        this.opts.onError?.(e);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private listOptions(): ListOptions {
    return { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  private async relist(): Promise<string> {
    const list = await this.client.list<T>(this.kind, this.listOptions());
    const fresh = new Map(list.items.map((o) => [objectKey(o), Object.freeze(o) as T]));
    for (const [k, old] of this.items) if (!fresh.has(k)) this.remove(k, old);
    for (const [k, o] of fresh) this.put(k, o, true);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return list.metadata.resourceVersion ?? '0';
  }

  private watchFrom(rv: string): Promise<Error | undefined> {
    return new Promise((resolve) => {
      let expired: ApiError | undefined;
      this.watch = this.client.watch<T>(this.kind, { ...this.listOptions(), resourceVersion: rv, allowWatchBookmarks: true }, (ev: WatchEvent<T>) => {
        if (ev.type === 'ERROR') {
          const st = ev.object as unknown as { code?: number; message?: string; reason?: string };
          expired = new ApiError(st.code ?? 500, st.reason ?? 'Expired', st.message ?? 'watch error');
          this.watch?.stop();
          return;
        }
        if (ev.type === 'BOOKMARK') return;
        const o = Object.freeze(ev.object) as T;
        const k = objectKey(o);
        if (ev.type === 'DELETED') {
          const cur = this.items.get(k);
          if (cur && !revisionAfter(rvOf(cur), rvOf(o))) this.remove(k, cur);
        } else {
          this.put(k, o, false);
        }
      });
      void this.watch.done.then((err) => resolve(expired ?? err ?? new ApiError(410, 'Expired', 'watch closed')));
    });
  }

  private put(k: string, o: T, fromList: boolean): void {
    const cur = this.items.get(k);
    if (cur && revisionAfter(rvOf(cur), rvOf(o))) return;
    if (cur && fromList && !revisionAfter(rvOf(o), rvOf(cur))) return; // the same revision
    this.items.set(k, o);
    this.reindex(k, cur, o);
    for (const h of this.handlers) {
      if (cur) h.update?.(cur, o);
      else h.add?.(o);
    }
  }

  private remove(k: string, cur: T): void {
    this.items.delete(k);
    this.reindex(k, cur, undefined);
    for (const h of this.handlers) h.delete?.(cur);
  }

  private reindex(k: string, oldObj: T | undefined, newObj: T | undefined): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name)!;
      if (oldObj) {
        for (const v of fn(oldObj)) {
          const keys = idx.get(v);
          // An empty set would stay forever: indexes keyed by uid would grow with every object ever seen.
          if (keys && keys.delete(k) && keys.size === 0) idx.delete(v);
        }
      }
      if (newObj) for (const v of fn(newObj)) addTo(idx, v, k);
    }
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, k: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, (s = new Set()));
  s.add(k);
}
