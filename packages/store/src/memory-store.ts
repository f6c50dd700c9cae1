import { badRequest, qualifiedResource, type KObject, type ResourceInfo } from '@kjobs/api';
import { checkChain, parseRevision } from './change-chain.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { StoreKeys } from './keys.js';
import { keepListed, keptJson, keptObjects, pageLimit, type Kept } from './list-filter.js';
import { decodeObject, encodeBody, expectedRevision, storedNamespace } from './object-codec.js';
import type { ChangeBatch, ChangeRecord, Store, StoreJsonListResult, StoreListOptions, StoreListResult } from './store.js';
import { writeError } from './write-errors.js';

/** Options of a MemoryStore. */
export interface MemoryStoreOptions {
  /** Exact cap of each kind's change log (oldest entries dropped). Default 100000. */
  maxLogLength?: number;
  /** Per-kind caps by qualified resource ("events"). Default { events: 10000 }. */
  maxLogLengthFor?: Record<string, number>;
  /**
   * How long each kind's change log keeps a change, in seconds; same rule as RedisStore: a change
   * is trimmed by the kind's first write after it is this old, rounded up to its whole second.
   * Default 300.
   */
  logRetentionSeconds?: number;
  /** The clock log retention is measured with, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** Most records per kind one tail() returns. Default 1000. */
  tailCount?: number;
}

interface Stored {
  rv: bigint;
  body: string;
}

interface LogEntry {
  rv: bigint;
  prev: bigint;
  type: ChangeRecord['type'];
  body: string;
  /** When it was appended (ms since the epoch, the store's clock). */
  at: number;
}

/**
 * The in-memory twin of RedisStore for controller unit tests: same contract (global revision,
 * CAS, per-kind change log with a prev chain, 410 once trimmed, selectors, pages), passing the same
 * `runStoreContract` suite. Objects are kept as JSON, so callers never share state with it.
 */
export class MemoryStore implements Store {
  private readonly keys = new StoreKeys('memory');
  private rev = 0n;
  private floor = 0n;
  private readonly objects = new Map<string, Map<string, Stored>>();
  private readonly logs = new Map<string, LogEntry[]>();
  /** Last revision appended to each kind's log (survives trimming; feeds `prev`). */
  private readonly lastRv = new Map<string, bigint>();
  private readonly waiters = new Set<() => void>();
  private readonly maxLogLength: number;
  private readonly maxLogLengthFor: Record<string, number>;
  private readonly tailCount: number;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxLogLength = opts.maxLogLength ?? 100_000;
    this.maxLogLengthFor = opts.maxLogLengthFor ?? { events: 10_000 };
    this.tailCount = opts.tailCount ?? 1000;
    this.retentionMs = (opts.logRetentionSeconds ?? 300) * 1000;
    this.now = opts.now ?? Date.now;
  }

  async create(res: ResourceInfo, obj: KObject): Promise<KObject> {
    const name = obj.metadata.name ?? '';
    const member = this.keys.member(res, storedNamespace(res, obj), name);
    const objs = this.objectsOf(res);
    if (objs.has(member)) throw writeError(res, name, 'create', { code: 'EXISTS' });
    const body = encodeBody(obj);
    const rv = this.append(res, 'ADDED', body);
    objs.set(member, { rv, body });
    return decodeObject(body, rv.toString());
  }

  async get(res: ResourceInfo, namespace: string, name: string): Promise<KObject | undefined> {
    const s = this.objectsOf(res).get(this.keys.member(res, namespace, name));
    return s ? decodeObject(s.body, s.rv.toString()) : undefined;
  }

  async update(res: ResourceInfo, obj: KObject, opts: { expectedRv?: string } = {}): Promise<KObject> {
    const name = obj.metadata.name ?? '';
    const member = this.keys.member(res, storedNamespace(res, obj), name);
    const objs = this.objectsOf(res);
    const cur = objs.get(member);
    const expected = expectedRevision(obj, opts.expectedRv);
    if (!cur) throw writeError(res, name, 'update', { code: 'NOTFOUND' });
    if (expected !== '' && expected !== cur.rv.toString()) {
      throw writeError(res, name, 'update', { code: 'CONFLICT', expectedRv: expected, current: decodeObject(cur.body, cur.rv.toString()) });
    }
    const body = encodeBody(obj);
    const rv = this.append(res, 'MODIFIED', body);
    objs.set(member, { rv, body });
    return decodeObject(body, rv.toString());
  }

  async delete(res: ResourceInfo, namespace: string, name: string, opts: { expectedRv?: string } = {}): Promise<KObject> {
    const member = this.keys.member(res, namespace, name);
    const objs = this.objectsOf(res);
    const cur = objs.get(member);
    const expected = opts.expectedRv ?? '';
    if (!cur) throw writeError(res, name, 'delete', { code: 'NOTFOUND' });
    if (expected !== '' && expected !== cur.rv.toString()) {
      throw writeError(res, name, 'delete', { code: 'CONFLICT', expectedRv: expected, current: decodeObject(cur.body, cur.rv.toString()) });
    }
    const rv = this.append(res, 'DELETED', cur.body);
    objs.delete(member);
    return decodeObject(cur.body, rv.toString());
  }

  async list(res: ResourceInfo, opts: StoreListOptions = {}): Promise<StoreListResult> {
    const page = this.listPage(res, opts);
    return { ...page, items: keptObjects(page.items) };
  }

  async listJson(res: ResourceInfo, opts: StoreListOptions = {}): Promise<StoreJsonListResult> {
    const page = this.listPage(res, opts);
    return { ...page, items: keptJson(page.items) };
  }

  private listPage(res: ResourceInfo, opts: StoreListOptions): { items: Kept[]; resourceVersion: string; continue?: string } {
    const token = opts.continue ? decodeContinue(opts.continue, this.floor) : undefined;
    const listRv = token?.rv ?? this.rev.toString();
    const limit = pageLimit(opts);
    const members = [...this.objectsOf(res).keys()].filter((m) => !token || m > token.after).sort(byteOrder);
    const items: Kept[] = [];
    let last = '';
    for (const m of members) {
      const s = this.objectsOf(res).get(m)!;
      const kept = keepListed(res, opts, m, s.body, s.rv.toString());
      if (!kept) continue;
      if (limit && items.length === limit) return { items, resourceVersion: listRv, continue: encodeContinue(listRv, last) };
      items.push(kept);
      last = m;
    }
    return { items, resourceVersion: listRv };
  }

  async changesSince(res: ResourceInfo, rv: string, limit = 1000): Promise<ChangeBatch> {
    const from = parseRevision(rv);
    if (from === undefined) throw badRequest(`invalid resourceVersion "${rv}"`);
    const count = Number.isInteger(limit) && limit > 0 ? limit : 1000;
    const entries = this.entriesAfter(res, from, count);
    const err = checkChain(from, this.floor, this.rev, entries);
    if (err) throw err;
    const events = entries.map((e) => this.toRecord(res, e));
    const last = events.length === count ? events[events.length - 1]!.rv : this.rev.toString();
    return { events, last };
  }

  async tail(cursors: Map<ResourceInfo, string>, blockMs: number, signal?: AbortSignal): Promise<ChangeRecord[]> {
    let out = this.collect(cursors);
    if (out.length > 0 || blockMs <= 0 || signal?.aborted) return out;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, blockMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
    out = signal?.aborted ? [] : this.collect(cursors);
    return out;
  }

  async revision(): Promise<string> {
    return this.rev.toString();
  }

  async close(): Promise<void> {
    for (const w of [...this.waiters]) w();
  }

  /**
   * Test helper mirroring RedisStore's restart rule: jump the revision by `by` and raise the
   * watch floor to it, so every older watch and continue token answers 410.
   */
  simulateRestart(by = 1_000_000n): void {
    this.rev += by;
    this.floor = this.rev;
  }

  private objectsOf(res: ResourceInfo): Map<string, Stored> {
    const id = qualifiedResource(res);
    let m = this.objects.get(id);
    if (!m) this.objects.set(id, (m = new Map()));
    return m;
  }

  private logOf(res: ResourceInfo): LogEntry[] {
    const id = qualifiedResource(res);
    let l = this.logs.get(id);
    if (!l) this.logs.set(id, (l = []));
    return l;
  }

  /** Bump the revision and append one change; trim the log by count, then by age; returns its revision. */
  private append(res: ResourceInfo, type: LogEntry['type'], body: string): bigint {
    const log = this.logOf(res);
    const prev = this.lastRv.get(qualifiedResource(res)) ?? 0n;
    const rv = ++this.rev;
    const now = this.now();
    log.push({ rv, prev, type, body, at: now });
    this.lastRv.set(qualifiedResource(res), rv);
    const max = this.maxLogLengthFor[qualifiedResource(res)] ?? this.maxLogLength;
    if (log.length > max) log.splice(0, log.length - max);
    // RedisStore's rule (lua/include/trim-log-by-age.lua): an entry goes once the whole second it
    // was appended in ended retentionMs ago. The entry just appended never qualifies.
    let old = 0;
    while (old < log.length && (Math.floor(log[old]!.at / 1000) + 1) * 1000 + this.retentionMs <= now) old++;
    if (old > 0) log.splice(0, old);
    for (const w of [...this.waiters]) w();
    return rv;
  }

  private entriesAfter(res: ResourceInfo, rv: bigint, count: number): LogEntry[] {
    const log = this.logOf(res);
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (log[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return log.slice(lo, lo + count);
  }

  private collect(cursors: Map<ResourceInfo, string>): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (const [res, rv] of cursors) {
      const from = parseRevision(rv) ?? 0n;
      for (const e of this.entriesAfter(res, from, this.tailCount)) out.push(this.toRecord(res, e));
    }
    return out.sort((a, b) => (BigInt(a.rv) < BigInt(b.rv) ? -1 : 1));
  }

  private toRecord(res: ResourceInfo, e: LogEntry): ChangeRecord {
    return { resource: res, type: e.type, rv: e.rv.toString(), prev: e.prev.toString(), object: decodeObject(e.body, e.rv.toString()) };
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
