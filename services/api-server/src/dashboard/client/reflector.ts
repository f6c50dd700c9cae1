/**
 * Keeping a live copy of one resource, client-go's reflector in miniature: list (a complete
 * snapshot and its resourceVersion), then watch from that version over a streamed fetch of the
 * API's newline-delimited WatchEvents; a watch that ends is resumed from the last version seen
 * (bookmarks advance it), a 410 Gone relists, other failures retry with backoff.
 */
import { type KObject, objectKey } from '@kjobs/api';

/** One line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject & { code?: number; message?: string; reason?: string };
}

/** Split a growing text buffer into complete lines; `rest` is the unfinished tail. */
export function splitLines(buffer: string): { lines: string[]; rest: string } {
  const parts = buffer.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((l) => l.trim() !== ''), rest };
}

/** The objects of one resource by `namespace/name`, and the resourceVersion they are current at. */
export class ObjectCache<T extends KObject = KObject> {
  readonly items = new Map<string, T>();
  resourceVersion = '';
  /** Bumped on every change, so views can tell whether to render again. */
  version = 0;

  /** Replace everything with a list's items. */
  replace(items: T[], resourceVersion: string): void {
    this.items.clear();
    for (const o of items) this.items.set(objectKey(o), o);
    this.resourceVersion = resourceVersion;
    this.version++;
  }

  /** Apply one watch event; returns false for an ERROR event (the caller decides what to do). */
  apply(ev: WatchEvent): boolean {
    if (ev.type === 'ERROR') return false;
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return true;
    if (ev.type === 'DELETED') this.items.delete(objectKey(ev.object));
    else this.items.set(objectKey(ev.object), ev.object as T);
    this.version++;
    return true;
  }
}

/** An HTTP error with its status code (401 ends the session, 410 relists). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How the reflector reaches the API (fetch with the session's token in the browser). */
export interface Transport {
  getJson<R>(path: string, signal: AbortSignal): Promise<R>;
  /** The body of a streaming GET, chunk by chunk. */
  stream(path: string, signal: AbortSignal): AsyncIterable<string>;
}

/** Reflector state for the connection indicator. */
export type ReflectorState = { state: 'connecting' | 'live' } | { state: 'retrying'; error: string };

/** Options of one reflector. */
export interface ReflectorOptions<T extends KObject> {
  /** Collection path, e.g. `/apis/batch/v1/jobs` (all namespaces). */
  path: string;
  cache: ObjectCache<T>;
  transport: Transport;
  signal: AbortSignal;
  onChange: () => void;
  onState: (s: ReflectorState) => void;
  /** Fatal errors (401) stop the reflector and go here. */
  onFatal: (e: HttpError) => void;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Run until the signal aborts. does: 1. list into the cache; 2. watch from its version, applying
 * events; 3. on a clean end, watch again from the last version; on 410, go to 1; on any other
 * error wait (1 s doubling to 16 s) and go to 1.
 */
export async function runReflector<T extends KObject>(o: ReflectorOptions<T>): Promise<void> {
  const sleep = o.sleep ?? defaultSleep;
  let backoff = 1000;
  while (!o.signal.aborted) {
    try {
      o.onState({ state: 'connecting' });
      const list = await o.transport.getJson<{ items: T[]; metadata: { resourceVersion?: string } }>(o.path, o.signal);
      o.cache.replace(list.items, list.metadata.resourceVersion ?? '');
      o.onChange();
      o.onState({ state: 'live' });
      backoff = 1000;
      while (!o.signal.aborted) await watchOnce(o);
    } catch (e) {
      if (o.signal.aborted) return;
      if (e instanceof HttpError && e.status === 401) return o.onFatal(e);
      if (e instanceof HttpError && e.status === 410) continue;
      o.onState({ state: 'retrying', error: e instanceof Error ? e.message : String(e) });
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 16_000);
    }
  }
}

/** One watch request from the cache's version; returns when the server ends it cleanly. */
async function watchOnce<T extends KObject>(o: ReflectorOptions<T>): Promise<void> {
  // A random timeout spreads the reconnects of many dashboards, as client-go does.
  const timeout = 300 + Math.floor(Math.random() * 300);
  const path = `${o.path}?watch=1&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${encodeURIComponent(o.cache.resourceVersion)}`;
  let rest = '';
  for await (const chunk of o.transport.stream(path, o.signal)) {
    const split = splitLines(rest + chunk);
    rest = split.rest;
    let changed = false;
    for (const line of split.lines) {
      const ev = JSON.parse(line) as WatchEvent;
      if (!o.cache.apply(ev)) throw new HttpError(ev.object.code ?? 500, ev.object.message ?? 'watch error');
      changed ||= ev.type !== 'BOOKMARK';
    }
    if (changed) o.onChange();
  }
}
