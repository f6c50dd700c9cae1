import type { Response } from 'express';
import {
  ApiError, gone, matchesFields, matchesLabels, objectKey, parseFieldSelector, parseLabelSelector, type KObject, type WatchEventType,
} from '@kjobs/api';
import type { ChangeRecord } from '@kjobs/store';
import type { ApiService } from '../api-service.js';
import { strategyFor } from '../registry/index.js';
import type { WatchRequest } from '../request/resource-request.js';
import type { WatchHub } from '../watch-hub.js';

/** Most events buffered for a client that reads too slowly before its watch is closed (it relists). */
const MAX_BACKLOG = 10_000;
const BOOKMARK_MS = 30_000;
/** Longest a watch stays open without timeoutSeconds (kube-apiserver: 30–60 min). */
const MAX_WATCH_MS = 45 * 60_000;

/**
 * Stream a watch as newline-delimited WatchEvents: headers flushed at once; `resourceVersion`
 * empty or "0" starts with ADDED for every current object; otherwise only changes after it
 * (410 Expired as an ERROR event when history is gone). Subscribes to the relay first and then
 * catches up from the log, so no change falls between the two.
 */
export async function serveWatch(api: ApiService, hub: WatchHub, p: WatchRequest, res: Response): Promise<void> {
  const strategy = strategyFor(p.res);
  const labels = parseLabelSelector(p.labelSelector);
  const fields = parseFieldSelector(p.fieldSelector, strategy.fieldSelectors);
  const asTable = p.asTable === true;
  let sentColumns = false;
  const matching = new Set<string>();
  let last = 0n;
  let live = false;
  let closed = false;
  const buffered: ChangeRecord[] = [];
  const keyOf = objectKey;
  const inScope = (o: KObject) => !p.namespace || o.metadata.namespace === p.namespace;
  const matches = (o: KObject) => inScope(o) && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const send = (type: WatchEventType, object: unknown) => {
    if (closed) return;
    let body = object;
    if (asTable && type !== 'ERROR' && type !== 'BOOKMARK') {
      body = strategy.toTable([object as KObject], new Date(), { includeColumnDefinitions: !sentColumns });
      sentColumns = true;
    }
    const ok = res.write(`${JSON.stringify({ type, object: body })}\n`);
    if (!ok && res.writableLength > MAX_BACKLOG * 2048) finish();
  };
  const apply = (rec: ChangeRecord) => {
    const rv = BigInt(rec.rv);
    if (rv <= last) return;
    last = rv;
    const o = rec.object;
    const k = keyOf(o);
    const was = matching.has(k);
    if (rec.type === 'DELETED') {
      if (was || matches(o)) {
        matching.delete(k);
        send('DELETED', o);
      }
      return;
    }
    if (matches(o)) {
      matching.add(k);
      send(was || rec.type === 'MODIFIED' ? 'MODIFIED' : 'ADDED', o);
    } else if (was) {
      matching.delete(k);
      send('DELETED', o);
    }
  };

  const unsubscribe = hub.subscribe(p.res, (rec) => {
    if (live) apply(rec);
    else buffered.push(rec);
  });
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let endTimer: NodeJS.Timeout | undefined;
  function finish() {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(bookmarkTimer);
    clearTimeout(endTimer);
    res.end();
  }
  res.on('close', finish);

  try {
    if (!p.resourceVersion || p.resourceVersion === '0') {
      const list = await api.list(p.res, { namespace: p.namespace, labelSelector: p.labelSelector, fieldSelector: p.fieldSelector });
      for (const o of list.items) {
        matching.add(keyOf(o));
        send('ADDED', o);
      }
      last = BigInt(list.metadata.resourceVersion ?? '0');
    } else {
      if (!/^\d+$/.test(p.resourceVersion)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${p.resourceVersion}`);
      last = BigInt(p.resourceVersion);
      // Catch up from the log; the objects' earlier membership in the selection is unknown,
      // so a change of a non-matching object is treated as "was matching" only if it matches.
      for (;;) {
        const batch = await api.changes(p.res, last.toString(), 1000);
        for (const rec of batch.events) {
          if (inScope(rec.object) && matches(rec.object) && rec.type !== 'ADDED') matching.add(keyOf(rec.object));
          apply(rec);
        }
        if (batch.events.length < 1000) break;
      }
    }
    live = true;
    for (const rec of buffered.splice(0)) apply(rec);
  } catch (e) {
    const err = e instanceof ApiError ? e : gone(String((e as Error).message));
    send('ERROR', err.toStatus());
    finish();
    return;
  }
  if (p.allowWatchBookmarks) {
    bookmarkTimer = setInterval(() => {
      const rv = BigInt(hub.cursor(p.res)) > last ? hub.cursor(p.res) : last.toString();
      send('BOOKMARK', { kind: p.res.kind, apiVersion: p.res.group ? `${p.res.group}/${p.res.version}` : p.res.version, metadata: { resourceVersion: rv } });
    }, BOOKMARK_MS);
  }
  endTimer = setTimeout(finish, p.timeoutSeconds ? p.timeoutSeconds * 1000 : MAX_WATCH_MS);
}
