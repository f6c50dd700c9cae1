import { ApiError, type KList, type KObject, type Status, objectKey } from '@kjobs/api';
import { CliError } from './errors.js';
import { collectionPath, query, type ApiResource } from './resources.js';
import type { RestClient } from './rest.js';

/** One watch event as it comes off the wire (the object may be a Table with the Table Accept). */
export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/**
 * Open a watch at `path` and call `onEvent` for each event in order until it returns true
 * (stop), the server closes the stream, or `signal` aborts. Resolves "stopped" or "closed".
 */
export async function streamWatch(
  rest: RestClient, path: string, accept: string, onEvent: (ev: RawWatchEvent) => boolean | void | Promise<boolean | void>, signal?: AbortSignal,
): Promise<'stopped' | 'closed'> {
  if (signal?.aborted) return 'stopped';
  let res;
  try {
    res = await rest.stream(path, accept, signal);
  } catch (e) {
    if (signal?.aborted) return 'stopped';
    throw e;
  }
  const onAbort = () => res.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  let buf = '';
  try {
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        if (await onEvent(JSON.parse(line) as RawWatchEvent)) {
          res.destroy();
          return 'stopped';
        }
      }
    }
  } catch (e) {
    if (signal?.aborted) return 'stopped';
    if ((e as { code?: string }).code === 'ECONNRESET' || (e as Error).message === 'aborted') return 'closed';
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return signal?.aborted ? 'stopped' : 'closed';
}

/** The ApiError an ERROR watch event carries. */
export function watchError(ev: RawWatchEvent): ApiError {
  return ApiError.fromStatus(ev.object as Status);
}

/** Selection of a collection watch. */
export interface CollectionQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * An informer in miniature: list, then watch from the list's resourceVersion, keeping a map of
 * the matching objects by namespace/name; `decide(objects)` runs after the list and after every
 * event and ends the watch by returning a value. A closed stream or an expired version
 * re-lists. Rejects with a CliError "timed out waiting for the condition" after `timeoutMs`.
 */
export async function watchUntil<T>(
  rest: RestClient, r: ApiResource, q: CollectionQuery, decide: (objects: Map<string, KObject>) => T | undefined | Promise<T | undefined>,
  timeoutMs?: number, signal?: AbortSignal,
): Promise<T> {
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort();
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs) ? setTimeout(() => ac.abort(), timeoutMs) : undefined;
  const key = objectKey;
  try {
    for (;;) {
      if (ac.signal.aborted) break;
      const base = collectionPath(r, q.namespace);
      const list = await rest.request<KList>('GET', base + query({ labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }));
      const objects = new Map(list.items.map((o) => [key(o), o]));
      let result = await decide(objects);
      if (result !== undefined) return result;
      let expired = false;
      const opened = Date.now();
      const how = await streamWatch(rest, base + query({
        watch: true, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, resourceVersion: list.metadata.resourceVersion,
        allowWatchBookmarks: true,
      }), 'application/json', async (ev) => {
        if (ev.type === 'BOOKMARK') return false;
        if (ev.type === 'ERROR') {
          const err = watchError(ev);
          if (err.code === 410) {
            expired = true;
            return true;
          }
          throw err;
        }
        const o = ev.object as KObject;
        if (ev.type === 'DELETED') objects.delete(key(o));
        else objects.set(key(o), o);
        result = await decide(objects);
        return result !== undefined;
      }, ac.signal);
      if (result !== undefined) return result;
      if (how === 'stopped' && !expired) break;
      // A server that keeps closing at once must not turn this into a busy loop.
      if (Date.now() - opened < 1000) await new Promise((r) => setTimeout(r, 250));
    }
    if (signal?.aborted) throw new CliError('interrupted');
    throw new CliError('timed out waiting for the condition');
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onOuterAbort);
  }
}
