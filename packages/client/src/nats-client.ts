import { ApiError, type KList, type KObject, type ResourceInfo, type Status, type WatchEvent } from '@kjobs/api';
import { performance } from 'node:perf_hooks';
import { MAX_BATCH, decodeJson, encodeJson, requestStream, Subjects, type ApiReply, type ApiRequest, type NatsConnection, type WatchMessage } from '@kjobs/bus';
import { ApiServerBeats } from './api-server-beats.js';
import { resourceOf } from './kinds.js';
import { startNatsWatch } from './nats-watch.js';
import type { ApiClient, DeleteOptions, ListOptions, LogOptions, PatchType, WatchHandle } from './types.js';

/** Options of the NATS transport. */
export interface NatsClientOptions {
  nc: NatsConnection;
  /** Subject prefix (default "kjobs"). */
  prefix?: string;
  /** Bearer token sent with every request. */
  token?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

const PATCH_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Largest page asked for over NATS, so a reply stays well under NATS' 1 MiB payload limit. */
const NATS_PAGE = 200;

/**
 * The ApiClient over NATS request/reply (for services). Watches subscribe to the relay's change
 * subjects, catch up from the store's change log through the api-server, and repair any gap in the
 * revision chain (lost message, relay restart) the same way, so no change is lost or repeated.
 */
export class NatsClient implements ApiClient {
  readonly subjects: Subjects;
  private readonly nc: NatsConnection;
  private readonly token?: string;
  private readonly timeoutMs: number;
  /**
   * Fail-fast hooks of the requests in flight, with when each was sent (performance.now()):
   * called when the connection to NATS drops, or when an api-server stops beating.
   */
  private readonly inFlight = new Map<(why: string) => void, number>();
  private readonly beats: ApiServerBeats;

  constructor(opts: NatsClientOptions) {
    this.nc = opts.nc;
    this.subjects = new Subjects(opts.prefix);
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    void this.watchDisconnects();
    // An api-server SIGKILLed with requests of ours in hand never answers them, and requests routed
    // through a NATS server that died on the way never reach it: fail what was sent up to then at
    // once, not at the 10 s timeout. Requests that went to another api-server in that window fail
    // too — retried like any 503.
    this.beats = new ApiServerBeats(this.nc, this.subjects, (upTo, why) => {
      for (const [fail, sentAt] of [...this.inFlight]) if (sentAt <= upTo) fail(`the api-server that had it ${why}`);
    });
  }

  /**
   * A request in flight when the connection drops cannot get its reply (the api-server answers an
   * inbox this client is no longer subscribed to): fail it at once instead of at the timeout, so
   * the caller retries as soon as NATS is back (a NATS restart used to stall every caller 10 s).
   * As with a timeout, the request may or may not have been carried out.
   */
  private async watchDisconnects(): Promise<void> {
    try {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect') for (const fail of [...this.inFlight.keys()]) fail('the connection to NATS dropped while the request was in flight');
      }
    } catch {
      // the connection closed
    }
  }

  /** Send one API request and return its body or throw its Status as an ApiError. */
  async call<T>(req: ApiRequest): Promise<T> {
    let msg;
    let fail!: (why: string) => void;
    const dropped = new Promise<never>((_, reject) => {
      fail = (why) => reject(new Error(why));
    });
    this.inFlight.set(fail, performance.now());
    try {
      msg = await Promise.race([this.nc.request(this.subjects.api(), encodeJson({ ...req, token: this.token }), { timeout: this.timeoutMs }), dropped]);
    } catch (e) {
      throw new ApiError(503, 'ServiceUnavailable', `api-server unreachable over NATS: ${(e as Error).message}`);
    } finally {
      this.inFlight.delete(fail);
    }
    const reply = decodeJson<ApiReply>(msg.data);
    if (!reply.ok) throw ApiError.fromStatus(reply.status);
    return reply.body as T;
  }

  private base(info: ResourceInfo): Pick<ApiRequest, 'group' | 'resource'> {
    return { group: info.group, resource: info.resource };
  }

  get<T extends KObject>(kind: string, namespace: string, name: string): Promise<T> {
    const info = resourceOf(kind);
    return this.call<T>({ verb: 'get', ...this.base(info), namespace, name });
  }

  async list<T extends KObject>(kind: string, opts: ListOptions = {}): Promise<KList<T>> {
    const info = resourceOf(kind);
    const page = (limit: number, cont?: string) =>
      this.call<KList<T>>({ verb: 'list', ...this.base(info), namespace: opts.namespace, query: listQuery({ ...opts, limit, continue: cont }) });
    if (opts.limit) return page(opts.limit, opts.continue);
    // No limit asked: fetch every page (first page's resourceVersion is the list's).
    const first = await page(NATS_PAGE, opts.continue);
    let cont = first.metadata.continue;
    while (cont) {
      const next = await page(NATS_PAGE, cont);
      first.items.push(...next.items);
      cont = next.metadata.continue;
    }
    delete first.metadata.continue;
    return first;
  }

  create<T extends KObject>(kind: string, obj: T): Promise<T> {
    const info = resourceOf(kind);
    return this.call<T>({ verb: 'create', ...this.base(info), namespace: obj.metadata.namespace, body: obj });
  }

  async createMany<T extends KObject>(kind: string, objs: T[]): Promise<(T | ApiError)[]> {
    const info = resourceOf(kind);
    const out: (T | ApiError)[] = [];
    for (let i = 0; i < objs.length; i += MAX_BATCH) {
      const items = objs.slice(i, i + MAX_BATCH).map((obj): ApiRequest => ({ verb: 'create', ...this.base(info), namespace: obj.metadata.namespace, body: obj }));
      const replies = await this.call<ApiReply[]>({ verb: 'batch', ...this.base(info), body: items });
      for (const r of replies) out.push(r.ok ? (r.body as T) : ApiError.fromStatus(r.status));
    }
    return out;
  }

  update<T extends KObject>(kind: string, obj: T, opts: { subresource?: 'status' } = {}): Promise<T> {
    const info = resourceOf(kind);
    return this.call<T>({ verb: 'update', ...this.base(info), namespace: obj.metadata.namespace, name: obj.metadata.name, subresource: opts.subresource, body: obj });
  }

  patch<T extends KObject>(kind: string, namespace: string, name: string, type: PatchType, patch: unknown, opts: { subresource?: 'status' } = {}): Promise<T> {
    const info = resourceOf(kind);
    return this.call<T>({ verb: 'patch', ...this.base(info), namespace, name, subresource: opts.subresource, body: patch, contentType: PATCH_TYPES[type] });
  }

  delete(kind: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KObject | Status> {
    const info = resourceOf(kind);
    return this.call({ verb: 'delete', ...this.base(info), namespace, name, body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } });
  }

  createSubresource(kind: string, namespace: string, name: string, subresource: string, body: unknown): Promise<unknown> {
    const info = resourceOf(kind);
    return this.call({ verb: 'subresource', ...this.base(info), namespace, name, subresource, body });
  }

  async logs(namespace: string, name: string, opts: LogOptions = {}): Promise<string> {
    return this.call<string>({ verb: 'get', group: '', resource: 'pods', namespace, name, subresource: 'log', query: logQuery(opts) });
  }

  /** Stream a followed log from the node that runs the pod (through the bus). */
  async followLogs(nodeName: string, body: unknown, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<void> {
    await requestStream(this.nc, this.subjects.node(nodeName, 'logs'), body, onChunk, { signal });
  }

  /** Changes of a kind after `rv` from the store's log (410 when trimmed). */
  changes(info: ResourceInfo, rv: string): Promise<{ events: WatchMessage[]; last: string }> {
    return this.call({ verb: 'changes', ...this.base(info), query: { resourceVersion: rv } });
  }

  watch<T extends KObject>(kind: string, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle {
    const info = resourceOf(kind);
    return startNatsWatch(this, this.nc, info, opts, onEvent as (ev: WatchEvent) => void);
  }

  async close(): Promise<void> {
    // The connection belongs to the caller (its subscriptions end with it).
    this.beats.stop();
  }
}

function listQuery(o: ListOptions): Record<string, string> {
  const q: Record<string, string> = {};
  if (o.labelSelector) q.labelSelector = o.labelSelector;
  if (o.fieldSelector) q.fieldSelector = o.fieldSelector;
  if (o.limit) q.limit = String(o.limit);
  if (o.continue) q.continue = o.continue;
  if (o.resourceVersion) q.resourceVersion = o.resourceVersion;
  return q;
}

function logQuery(o: LogOptions): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) q[k] = String(v);
  return q;
}
