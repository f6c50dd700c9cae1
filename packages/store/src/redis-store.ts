import { badRequest, gone, qualifiedResource, type KObject, type ResourceInfo } from '@kjobs/api';
import type { Redis } from 'ioredis';
import { checkChain, parseRevision } from './change-chain.js';
import { decodeContinue, encodeContinue, CONTINUE_TOO_OLD } from './continue-token.js';
import { StoreKeys } from './keys.js';
import { keepListed, keptJson, keptObjects, pageLimit, type Kept } from './list-filter.js';
import { ListReadAhead, type ListReadAheadOptions } from './list-read-ahead.js';
import { planList, type ListPlan } from './list-plan.js';
import { storeScripts } from './lua-scripts.js';
import { decodeObject, encodeBody, expectedRevision, storedNamespace } from './object-codec.js';
import { indexKeysFor } from './object-indexes.js';
import { StreamTailer } from './redis-tail.js';
import { NotReplicatedError, ReplicaWait, barrierOn, writeConnection, type Durability } from './replica-wait.js';
import type { ChangeBatch, ChangeRecord, Store, StoreJsonListResult, StoreListOptions, StoreListResult } from './store.js';
import { toChangeRecord, type RawStreamEntry } from './stream-entries.js';
import { replicationError, writeError } from './write-errors.js';

/** Options of a RedisStore; every field but `redis` has a default. */
export interface RedisStoreOptions {
  /**
   * The connection for every command. The store does not own it (close() leaves it open). Tail
   * reads use connections duplicated from it, so its `commandTimeout`, if any, must exceed the
   * longest tail blockMs.
   */
  redis: Redis;
  /** Key prefix inside the hash tag: keys look like `{prefix}:rev`. Default "kjobs". */
  prefix?: string;
  /**
   * Approximate cap (`XADD MAXLEN ~`) of each kind's change log: the ceiling, whatever the
   * retention. Default 100000.
   */
  maxLogLength?: number;
  /** Per-kind caps by qualified resource ("events", "jobs.batch"). Default { events: 10000 }. */
  maxLogLengthFor?: Record<string, number>;
  /**
   * How long each kind's change log keeps a change, in seconds: how far back a watch can resume
   * (etcd's compaction interval in Kubernetes). A change is trimmed by the kind's first write after
   * it is this old, rounded up to its whole second; a watch from before what remains answers 410.
   * Default 300 (the api-server reads KJOBS_WATCH_RETENTION_SECONDS).
   */
  logRetentionSeconds?: number;
  /** The clock log retention is measured with, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** Index members a paged list examines per script call (bounds Redis time per call). Default 1000. */
  listScanBatch?: number;
  /** Script calls one page may take to fill up before returning short with a continue token. Default 8. */
  listRoundsPerPage?: number;
  /** Most records per kind one tail() returns. Default 1000. */
  tailCount?: number;
  /** How far init() moves the revision after a restart. Default 1000000. */
  revisionBump?: number;
  /**
   * Acknowledge writes only once this many replicas have them (docs/reliability.md, Redis
   * failover): writes go through a connection of their own, each followed by a batched WAIT;
   * lists, watch catch-up and tail return only changes the replicas have. Default: none.
   */
  durability?: Durability;
  /**
   * Read a paged list's next page as soon as a page is answered with a continue token, so the
   * client's next request finds it read (listJson only; ListReadAhead holds the pages). A page
   * read ahead is answered only when no object of the kind was written since it was read (the
   * kind's last revision is unchanged) and its token is not expired: what a fresh read would
   * answer then; after a stale one the kind is not read ahead for `staleBackoffMs`. Default: off.
   */
  listReadAhead?: ListReadAheadOptions;
}

type Compiled = Required<Omit<RedisStoreOptions, 'redis' | 'durability' | 'listReadAhead'>>;

/** Apply defaults and validate once. */
export function compileRedisStoreOptions(o: RedisStoreOptions): Compiled {
  const c: Compiled = {
    prefix: o.prefix ?? 'kjobs',
    maxLogLength: o.maxLogLength ?? 100_000,
    maxLogLengthFor: o.maxLogLengthFor ?? { events: 10_000 },
    logRetentionSeconds: o.logRetentionSeconds ?? 300,
    now: o.now ?? Date.now,
    listScanBatch: o.listScanBatch ?? 1000,
    listRoundsPerPage: o.listRoundsPerPage ?? 8,
    tailCount: o.tailCount ?? 1000,
    revisionBump: o.revisionBump ?? 1_000_000,
  };
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number' && !(Number.isInteger(v) && v > 0)) throw new Error(`RedisStore option ${k} must be a positive integer, got ${v}`);
  }
  return c;
}

/** What init() found and did. */
export interface InitResult {
  /** True when the revision was bumped (new server run, failover, restore, or a fresh store). */
  bumped: boolean;
  revision: string;
  floor: string;
}

/**
 * The Redis implementation of Store (design: /work/shared/reference/store-design.md). Every write
 * is one Lua script that checks, INCRs the global revision, appends to the kind's change-log
 * stream (the outbox, ID `<rev>-0`, with the previous revision of that log), updates the
 * object hash and its index ZSETs, and trims changes older than `logRetentionSeconds` from that
 * log (lua/include/trim-log-by-age.lua). Reads are HMGET or read-only scripts.
 *
 * Paged lists are not historical snapshots: each page reads the then-current state, and the list
 * reports the first page's revision. Watching from that revision with a newer-revision-wins cache
 * converges (the contract suite checks it). An unpaged list is one atomic script.
 */
export class RedisStore implements Store {
  /** The key layout of this store. */
  readonly keys: StoreKeys;
  private readonly redis: Redis;
  /** Where writes go: `redis`, or with `durability` a connection of their own (WAIT blocks it). */
  private readonly writer: Redis;
  private readonly replicas?: ReplicaWait;
  private readonly opts: Compiled;
  private readonly scripts = storeScripts();
  private readonly tailer: StreamTailer;
  /** Closes of `redis` (with durability): a read and its barrier must not span one (`replicated`). */
  private readCloses = 0;
  /** The pages read ahead (RedisStoreOptions.listReadAhead), when on. */
  readonly readAhead?: ListReadAhead;

  constructor(options: RedisStoreOptions) {
    this.opts = compileRedisStoreOptions(options);
    this.redis = options.redis;
    this.writer = options.durability ? writeConnection(options.redis) : options.redis;
    if (options.durability) {
      this.replicas = new ReplicaWait(this.writer, options.durability);
      options.redis.on('close', () => this.readCloses++);
    }
    this.keys = new StoreKeys(this.opts.prefix);
    this.tailer = new StreamTailer(this.redis, this.keys, this.opts.tailCount);
    if (options.listReadAhead) this.readAhead = new ListReadAhead(options.listReadAhead);
  }

  /**
   * The restart rule (design §4.6). Call once after connecting and after every reconnect (the
   * ioredis 'ready' event), before serving: when Redis' run_id differs from the stored one, the
   * revision jumps by `revisionBump` and the watch floor is raised to it, so revisions lost in a
   * crash are never reissued and every older watch or continue token answers 410. Idempotent: a
   * second call on the same Redis run changes nothing. A brand-new store is bumped too.
   */
  async init(): Promise<void> {
    await this.applyRestartRule();
  }

  /**
   * Claim the keys for one cluster: the first claim wins (one `SET NX GET`, atomic); a later
   * claim with another id gets the owner's record back and must not serve. Returns undefined when
   * the keys are (now) this cluster's.
   */
  async claim(owner: { id: string; home: string }): Promise<{ id: string; home: string } | undefined> {
    const prev = await this.redis.call('SET', this.keys.owner(), JSON.stringify(owner), 'NX', 'GET') as string | null;
    if (prev === null) return undefined;
    try {
      const cur = JSON.parse(prev) as { id: string; home: string };
      return cur.id === owner.id ? undefined : cur;
    } catch {
      return { id: prev, home: '?' };
    }
  }

  /** init(), reporting what it found and did. */
  async applyRestartRule(): Promise<InitResult> {
    const info = await this.redis.info('server');
    const runId = /^run_id:(\S+)/m.exec(info)?.[1];
    if (!runId) throw new Error('RedisStore.init: INFO server has no run_id');
    const k = this.keys;
    const r = (await this.scripts.init.run(this.redis, [k.runid(), k.rev(), k.floor()], [runId, this.opts.revisionBump])) as [number, string, string];
    return { bumped: Number(r[0]) === 1, revision: String(r[1]), floor: String(r[2]) };
  }

  async create(res: ResourceInfo, obj: KObject): Promise<KObject> {
    const ns = storedNamespace(res, obj);
    const name = obj.metadata.name ?? '';
    const body = encodeBody(obj);
    const r = (await this.scripts.create.run(this.writer, this.writeKeys(res, ns, name, obj), [this.keys.member(res, ns, name), body, this.maxLen(res), ...this.retentionArgs(), this.keys.indexPrefix(res)])) as string[];
    if (r[0] !== 'OK') throw writeError(res, name, 'create', { code: 'EXISTS' });
    if (this.replicas) await this.acknowledged();
    return decodeObject(body, String(r[1]));
  }

  async get(res: ResourceInfo, namespace: string, name: string): Promise<KObject | undefined> {
    const [rv, d] = await this.redis.hmget(this.keys.object(res, res.namespaced ? namespace : '', name), 'rv', 'd');
    return rv && d ? decodeObject(d, rv) : undefined;
  }

  async update(res: ResourceInfo, obj: KObject, opts: { expectedRv?: string } = {}): Promise<KObject> {
    const ns = storedNamespace(res, obj);
    const name = obj.metadata.name ?? '';
    const expected = expectedRevision(obj, opts.expectedRv);
    const body = encodeBody(obj);
    const r = (await this.scripts.update.run(this.writer, this.writeKeys(res, ns, name, obj), [this.keys.member(res, ns, name), body, this.maxLen(res), expected, ...this.retentionArgs(), this.keys.indexPrefix(res)])) as string[];
    if (r[0] === 'OK') return this.replicas ? this.acknowledged().then(() => decodeObject(body, String(r[1]))) : decodeObject(body, String(r[1]));
    if (r[0] === 'NOTFOUND') throw writeError(res, name, 'update', { code: 'NOTFOUND' });
    throw writeError(res, name, 'update', { code: 'CONFLICT', expectedRv: expected, current: decodeObject(r[2]!, r[1]!) });
  }

  async delete(res: ResourceInfo, namespace: string, name: string, opts: { expectedRv?: string } = {}): Promise<KObject> {
    const ns = res.namespaced ? namespace : '';
    const expected = opts.expectedRv ?? '';
    const k = this.keys;
    const keys = [k.object(res, ns, name), k.rev(), k.log(res), k.last(res), k.logMarks(res)];
    const r = (await this.scripts.delete.run(this.writer, keys, [k.member(res, ns, name), this.maxLen(res), expected, ...this.retentionArgs(), k.indexPrefix(res)])) as string[];
    if (r[0] === 'OK') return this.replicas ? this.acknowledged().then(() => decodeObject(r[2]!, String(r[1]))) : decodeObject(r[2]!, String(r[1]));
    if (r[0] === 'NOTFOUND') throw writeError(res, name, 'delete', { code: 'NOTFOUND' });
    throw writeError(res, name, 'delete', { code: 'CONFLICT', expectedRv: expected, current: decodeObject(r[2]!, r[1]!) });
  }

  /**
   * Does: 1. plan the index lookups; 2. run the list script from the continue point, keeping
   * objects that pass every requirement; 3. repeat until the page is full, the index is
   * exhausted, or `listRoundsPerPage` calls were made (then the page is short but continues).
   */
  async list(res: ResourceInfo, opts: StoreListOptions = {}): Promise<StoreListResult> {
    const page = await this.listPage(res, opts);
    return { ...page, items: keptObjects(page.items) };
  }

  /**
   * Does: 1. with read-ahead on and a continue token, take the page read ahead for this request
   * and answer it when the kind's last revision is what it was before the page was read and the
   * token is not below the watch floor (else read afresh); 2. otherwise read the page; 3. when
   * the page continues, start reading the next one.
   */
  async listJson(res: ResourceInfo, opts: StoreListOptions = {}): Promise<StoreJsonListResult> {
    const ahead = this.readAhead;
    if (!ahead) return this.jsonPage(res, opts);
    const page = (opts.continue ? await this.takeReadAhead(ahead, res, opts, opts.continue) : undefined) ?? await this.jsonPage(res, opts);
    if (page.continue) {
      const next = { ...opts, continue: page.continue };
      // Same connection, so `last` is read before the page: a write in between only makes it stale.
      ahead.offer(qualifiedResource(res), readAheadKey(res, next), async () => {
        const [last, p] = await Promise.all([this.redis.get(this.keys.last(res)), this.jsonPage(res, next)]);
        return { last: last ?? '0', page: p };
      });
    }
    return page;
  }

  private async jsonPage(res: ResourceInfo, opts: StoreListOptions): Promise<StoreJsonListResult> {
    const page = await this.listPage(res, opts);
    return { ...page, items: keptJson(page.items) };
  }

  /** The page read ahead for this request, when it is still what a fresh read would answer. */
  private async takeReadAhead(ahead: ListReadAhead, res: ResourceInfo, opts: StoreListOptions, token: string): Promise<StoreJsonListResult | undefined> {
    const got = await ahead.take(readAheadKey(res, opts));
    if (!got) return undefined;
    const [last, floor] = await this.redis.mget(this.keys.last(res), this.keys.floor());
    const fresh = (last ?? '0') === got.last && BigInt(decodeContinue(token, 0n).rv) >= BigInt(floor ?? '0');
    ahead.note(qualifiedResource(res), fresh);
    return fresh ? got.page : undefined;
  }

  /**
   * One page of a list. Does: 1. plan the index lookups; 2. run the list script from the continue
   * point, keeping objects that pass every requirement (keepListed); 3. repeat until the page is
   * full, the index is exhausted, or `listRoundsPerPage` calls were made (then the page is short
   * but continues).
   */
  private async listPage(res: ResourceInfo, opts: StoreListOptions): Promise<{ items: Kept[]; resourceVersion: string; continue?: string }> {
    const closes = this.readCloses;
    const token = opts.continue ? decodeContinue(opts.continue, 0n) : undefined;
    const plan = planList(this.keys, res, opts);
    const limit = pageLimit(opts);
    const items: Kept[] = [];
    let after = token?.after ?? '';
    let listRv = token?.rv;
    for (let round = 1; ; round++) {
      const chunk = await this.listChunk(res, plan, after, limit ? limit - items.length : 0, limit ? this.opts.listScanBatch : 0);
      if (token && BigInt(token.rv) < chunk.floor) throw gone(CONTINUE_TOO_OLD);
      listRv ??= chunk.rev;
      for (const c of chunk.found) {
        if (plan.member !== undefined && after !== '' && c.member <= after) continue; // exact lookup already passed
        const kept = keepListed(res, opts, c.member, c.body, c.rv);
        if (kept) items.push(kept);
      }
      after = chunk.lastExamined;
      const full = (limit && items.length >= limit) || round >= this.opts.listRoundsPerPage;
      if (!chunk.more || full) {
        if (this.replicas) await this.replicated(closes);
        return chunk.more ? { items, resourceVersion: listRv, continue: encodeContinue(listRv, after) } : { items, resourceVersion: listRv };
      }
    }
  }

  async changesSince(res: ResourceInfo, rv: string, limit = 1000): Promise<ChangeBatch> {
    const from = parseRevision(rv);
    if (from === undefined) throw badRequest(`invalid resourceVersion "${rv}"`);
    const count = Number.isInteger(limit) && limit > 0 ? limit : 1000;
    const k = this.keys;
    const closes = this.readCloses;
    const [rev, floor, entries] = (await this.scripts.changes.run(this.redis, [k.rev(), k.floor(), k.log(res)], [from.toString(), count])) as [string, string, RawStreamEntry[]];
    const events = entries.map((e) => toChangeRecord(res, e));
    const err = checkChain(from, BigInt(floor), BigInt(rev), events.map((e) => ({ rv: BigInt(e.rv), prev: BigInt(e.prev) })));
    if (err) throw err;
    // Fewer than `count` entries: the whole log up to `rev` has been read, so `last` may advance to it.
    const last = events.length === count ? events[events.length - 1]!.rv : rev;
    if (this.replicas) await this.replicated(closes);
    return { events, last };
  }

  async tail(cursors: Map<ResourceInfo, string>, blockMs: number, signal?: AbortSignal): Promise<ChangeRecord[]> {
    const d = this.replicas?.durability;
    const sync = this.keys.sync();
    // With durability: the barrier on the connection the changes were read on (redis-tail.ts says why).
    const confirm = d ? (conn: Redis) => barrierOn(conn, sync, d) : undefined;
    return this.tailer.tail(cursors, blockMs, signal, confirm).catch((e: unknown) => Promise.reject(replicationError(e, 'read')));
  }

  async revision(): Promise<string> {
    return (await this.redis.get(this.keys.rev())) ?? '0';
  }

  /** Close the tail connections. The connection passed in stays open: its owner closes it. */
  async close(): Promise<void> {
    this.readAhead?.clear();
    this.tailer.close();
    if (this.writer !== this.redis) this.writer.disconnect();
  }

  /** With `durability` (callers check, so a single Redis does not even await): once the replicas have this store's writes so far (one WAIT per loop turn). */
  private async acknowledged(): Promise<void> {
    await this.replicas?.sync().catch((e: unknown) => Promise.reject(replicationError(e, 'write')));
  }

  /**
   * With `durability`: once the replicas have all a read before saw (no phantom revision for a
   * client). `since`: `readCloses` before the read — had the read connection closed since, the
   * read may have come from a primary the barrier's (a failover's new one) never had: refused.
   */
  private async replicated(since: number): Promise<void> {
    await this.replicas?.barrier(this.keys.sync()).catch((e: unknown) => Promise.reject(replicationError(e, 'read')));
    if (this.readCloses !== since) throw replicationError(new NotReplicatedError('the connection to the Redis primary was lost while reading'), 'read');
  }

  private writeKeys(res: ResourceInfo, ns: string, name: string, obj: KObject): string[] {
    const k = this.keys;
    return [k.object(res, ns, name), k.rev(), k.log(res), k.last(res), k.logMarks(res), ...indexKeysFor(k, res, ns, obj)];
  }

  /** ARGV tail of every write script: now (ms) and the log retention (ms). */
  private retentionArgs(): [number, number] {
    return [Math.floor(this.opts.now()), this.opts.logRetentionSeconds * 1000];
  }

  private maxLen(res: ResourceInfo): number {
    return this.opts.maxLogLengthFor[qualifiedResource(res)] ?? this.opts.maxLogLength;
  }

  private async listChunk(res: ResourceInfo, plan: ListPlan, after: string, limit: number, maxScan: number) {
    const k = this.keys;
    const idx = plan.empty ? [k.indexAll(res)] : plan.indexes;
    // An impossible selector still reads rev and floor, from an exact member that cannot exist.
    const member = plan.empty ? '\u0000' : (plan.member ?? '');
    const r = (await this.scripts.list.run(this.redis, [k.rev(), k.floor(), ...idx], [k.objectPrefix(res), after, limit, maxScan, member])) as (string | number)[];
    const found: { member: string; rv: string; body: string }[] = [];
    for (let i = 4; i + 2 < r.length; i += 3) found.push({ member: String(r[i]), rv: String(r[i + 1]), body: String(r[i + 2]) });
    return { rev: String(r[0]), floor: BigInt(String(r[1])), lastExamined: String(r[2]), more: Number(r[3]) === 1, found };
  }
}

/** What names a list request for the read-ahead: the resource and every option, the continue token included. */
function readAheadKey(res: ResourceInfo, opts: StoreListOptions): string {
  return JSON.stringify([qualifiedResource(res), opts.namespace ?? '', opts.labelSelector ?? [], opts.fieldSelector ?? [], opts.ownerUid ?? '', opts.limit ?? 0, opts.continue ?? '']);
}
