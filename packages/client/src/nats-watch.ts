import {
  ApiError, matchesFields, objectKey, matchesLabels, parseFieldSelector, parseLabelSelector, revisionAfter,
  type KList, type KObject, type ResourceInfo, type WatchEvent,
} from '@kjobs/api';
import { decodeJson, decodeWatchMessage, type Heartbeat, type NatsConnection, type Subjects, type WatchMessage } from '@kjobs/bus';
import type { ListOptions, WatchHandle } from './types.js';

/** Page size of the api-server's `changes` answers. */
const CHANGES_PAGE = 500;

/** What a NATS watch asks of its client: the subjects, the first list and the change log. */
export interface WatchSource {
  readonly subjects: Subjects;
  list<T extends KObject>(kind: string, opts: ListOptions): Promise<KList<T>>;
  changes(info: ResourceInfo, rv: string): Promise<{ events: WatchMessage[]; last: string }>;
}

/**
 * Watch over NATS: subscribe first (buffer), catch up from `rv` through the api-server, then
 * deliver live messages, dropping rv ≤ last and repairing when `prev` ≠ last or a heartbeat shows
 * a missed tail. Selector filtering happens here; an object that stops matching gives DELETED.
 */
export function startNatsWatch(client: WatchSource, nc: NatsConnection, info: ResourceInfo, opts: ListOptions, onEvent: (ev: WatchEvent) => void): WatchHandle {
  const labels = parseLabelSelector(opts.labelSelector);
  const fields = parseFieldSelector(opts.fieldSelector);
  const ns = info.namespaced ? opts.namespace ?? '' : '';
  const matching = new Set<string>();
  let stopped = false;
  let resolveDone!: (e: Error | undefined) => void;
  const done = new Promise<Error | undefined>((r) => (resolveDone = r));
  // Callbacks rather than async iterators: a watcher handles every change of its kind, and an
  // iterator's promise per message cost more than the decode (bench/support/scale-children.ts).
  const subs = [
    nc.subscribe(client.subjects.watchAll(info), { callback: (err, m) => guarded(err, () => onLive(decodeWatchMessage(m.data))) }),
    nc.subscribe(client.subjects.heartbeat(info), {
      callback: (err, m) => guarded(err, () => {
        const hb = decodeJson<Heartbeat>(m.data);
        if (live && !repairing && revisionAfter(hb.last, last)) void repair();
      }),
    }),
  ];
  let last = '0';
  let live = false;
  const buffer: WatchMessage[] = [];
  let repairing: Promise<void> | null = null;
  let timeout: NodeJS.Timeout | undefined;

  const finish = (err?: Error) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timeout);
    for (const s of subs) s.unsubscribe();
    resolveDone(err);
  };
  /** A subscription's error, or one thrown while handling a message (the handler's too), ends the watch with it. */
  const guarded = (err: Error | null, handle: () => void) => {
    if (stopped) return;
    if (err) return finish(err);
    try {
      handle();
    } catch (e) {
      finish(e as Error);
    }
  };
  const matches = (o: KObject) =>
    (!ns || o.metadata.namespace === ns) && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);

  const deliver = (m: WatchMessage): 'ok' | 'gap' => {
    if (!revisionAfter(m.rv, last)) return 'ok';
    if (m.prev !== last && revisionAfter(m.prev, last)) return 'gap';
    last = m.rv;
    const key = objectKey(m.object);
    const now = m.type !== 'DELETED' && matches(m.object);
    const was = matching.has(key);
    if (m.type === 'DELETED') {
      if (was || matches(m.object)) {
        matching.delete(key);
        emit({ type: 'DELETED', object: m.object });
      }
    } else if (now) {
      matching.add(key);
      emit({ type: was ? 'MODIFIED' : m.type === 'ADDED' ? 'ADDED' : 'MODIFIED', object: m.object });
    } else if (was) {
      matching.delete(key);
      emit({ type: 'DELETED', object: m.object });
    }
    return 'ok';
  };
  const emit = (ev: WatchEvent) => {
    if (!stopped) onEvent(ev);
  };
  const repair = (): Promise<void> => {
    repairing ??= (async () => {
      try {
        for (;;) {
          const batch = await client.changes(info, last);
          for (const m of batch.events) deliver(m);
          // The log has no change of this kind up to batch.last: later changes chain from ≤ it.
          if (revisionAfter(batch.last, last)) last = batch.last;
          if (batch.events.length < CHANGES_PAGE) break;
        }
      } catch (e) {
        if (e instanceof ApiError && e.code === 410) {
          emit({ type: 'ERROR', object: e.toStatus() as never });
          finish();
        } else if (!stopped) {
          finish(e as Error);
        }
      } finally {
        repairing = null;
      }
    })();
    return repairing;
  };
  const onLive = (m: WatchMessage) => {
    if (!live) {
      buffer.push(m);
      return;
    }
    if (repairing) {
      void repairing.then(() => onLive(m));
      return;
    }
    if (deliver(m) === 'gap') void repair();
  };

  void (async () => {
    try {
      if (!opts.resourceVersion || opts.resourceVersion === '0') {
        const list = await client.list(info.kind, { namespace: ns, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
        for (const o of list.items) {
          matching.add(objectKey(o));
          emit({ type: 'ADDED', object: o });
        }
        last = list.metadata.resourceVersion ?? '0';
      } else {
        last = opts.resourceVersion;
      }
      await repair();
      live = true;
      for (const m of buffer.splice(0)) onLive(m);
      if (opts.timeoutSeconds) timeout = setTimeout(() => finish(), opts.timeoutSeconds * 1000);
    } catch (e) {
      finish(e as Error);
    }
  })();
  return { stop: () => finish(), done };
}
