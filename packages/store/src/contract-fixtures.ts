import { expect } from 'vitest';
import { ApiError, findResource, type KObject, type ResourceInfo } from '@kjobs/api';
import type { ChangeRecord, Store, StoreListOptions } from './store.js';

/** Options a contract test may ask of the store under test; the factory must honour them. */
export interface ContractStoreOptions {
  /** Cap of each kind's change log (approximate caps are fine: at least this many are kept). */
  maxLogLength?: number;
  /** Age limit of each kind's change log, in seconds (the stores' `logRetentionSeconds`). */
  logRetentionSeconds?: number;
  /** The store's clock, ms since the epoch (the stores' `now`). */
  now?: () => number;
}

/** A fresh, empty store for one test, and how to remove everything it left behind. */
export interface ContractStoreHandle {
  store: Store;
  cleanup(): Promise<void>;
}

/** Builds a fresh, isolated store per test. */
export type ContractStoreFactory = (opts?: ContractStoreOptions) => Promise<ContractStoreHandle>;

/** Opens a store for the running test (closed and cleaned after it). */
export type OpenStore = (opts?: ContractStoreOptions) => Promise<Store>;

function mustFind(group: string, resource: string): ResourceInfo {
  const r = findResource(group, resource);
  if (!r) throw new Error(`no resource ${group}/${resource}`);
  return r;
}

export const pods = mustFind('', 'pods');
export const nodes = mustFind('', 'nodes');
export const jobs = mustFind('batch', 'jobs');

/** A pod with optional labels, node, phase and owner. */
export function pod(ns: string, name: string, o: { labels?: Record<string, string>; nodeName?: string; phase?: string; ownerUid?: string } = {}): KObject {
  const obj: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` }, spec: { containers: [{ name: 'c' }] } };
  if (o.labels) obj.metadata.labels = o.labels;
  if (o.ownerUid) obj.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: o.ownerUid, controller: true }];
  if (o.nodeName) (obj.spec as Record<string, unknown>).nodeName = o.nodeName;
  if (o.phase) obj.status = { phase: o.phase };
  return obj;
}

/** A job (namespaced, group batch). */
export function job(ns: string, name: string): KObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns }, spec: { template: {} } };
}

/** A node (cluster-scoped). */
export function node(name: string, labels?: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, ...(labels ? { labels } : {}) }, spec: {} };
}

/** `<ns>/<name>` of each object, in the order given. */
export function keysOf(items: readonly KObject[]): string[] {
  return items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

/** Await a rejection and check it is an ApiError with this code (and reason). */
export async function expectApiError(p: Promise<unknown>, code: number, reason?: string): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected ApiError ${code}`).toBeInstanceOf(ApiError);
  const err = e as ApiError;
  expect(err.code).toBe(code);
  if (reason) expect(err.reason).toBe(reason);
  return err;
}

/** Read every change after rv, following `last`, until a call returns none. */
export async function drain(store: Store, res: ResourceInfo, rv: string, limit = 100): Promise<ChangeRecord[]> {
  const out: ChangeRecord[] = [];
  let cursor = rv;
  for (;;) {
    const b = await store.changesSince(res, cursor, limit);
    out.push(...b.events);
    expect(BigInt(b.last)).toBeGreaterThanOrEqual(BigInt(cursor));
    cursor = b.last;
    if (b.events.length === 0) return out;
  }
}

/** Check the prev chain of consecutive changes read after `rv`. */
export function expectChain(rv: string, events: readonly ChangeRecord[]): void {
  let last = BigInt(rv);
  events.forEach((e, i) => {
    const cur = BigInt(e.rv);
    expect(cur, `event ${i} rv increases`).toBeGreaterThan(last);
    if (i === 0) expect(BigInt(e.prev)).toBeLessThanOrEqual(BigInt(rv));
    else expect(e.prev, `event ${i} prev`).toBe(events[i - 1]!.rv);
    expect(e.object.metadata.resourceVersion).toBe(e.rv);
    last = cur;
  });
}

/** Every page of a list, following continue tokens (each page checked against the first's rv). */
export async function listPages(store: Store, res: ResourceInfo, opts: StoreListOptions, limit: number): Promise<{ pages: KObject[][]; rv: string }> {
  const pages: KObject[][] = [];
  let rv: string | undefined;
  let cont: string | undefined;
  do {
    const page = await store.list(res, { ...opts, limit, continue: cont });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    rv ??= page.resourceVersion;
    expect(page.resourceVersion).toBe(rv);
    pages.push(page.items);
    cont = page.continue;
    expect(pages.length, 'too many pages').toBeLessThan(10_000);
  } while (cont);
  return { pages, rv: rv! };
}

/**
 * An informer-style cache: applies an object or tombstone only when its revision is newer than
 * what it holds for that key (the rule that makes paged lists plus a replayed watch converge).
 */
export class NewerWinsCache {
  private readonly entries = new Map<string, { rv: bigint; live: boolean }>();

  /** Apply one state (`live` false: deleted at rv). */
  apply(key: string, rv: string, live: boolean): void {
    const cur = this.entries.get(key);
    if (cur && cur.rv >= BigInt(rv)) return;
    this.entries.set(key, { rv: BigInt(rv), live });
  }

  /** key → resourceVersion of every live object, sorted by key. */
  live(): [string, string][] {
    return [...this.entries].filter(([, e]) => e.live).map(([k, e]): [string, string] => [k, e.rv.toString()]).sort(([a], [b]) => (a < b ? -1 : 1));
  }
}

/** Where fake clocks start: a whole second (log trimming works in whole seconds), ms since the epoch. */
export const FAKE_T0_MS = 1_800_000_000_000;

/** A clock a test moves by hand: `at(s)` sets it to FAKE_T0_MS + s seconds. Pass `now` to a store. */
export interface FakeClock {
  now: () => number;
  at(seconds: number): void;
}

export function fakeClock(): FakeClock {
  let t = FAKE_T0_MS;
  return {
    now: () => t,
    at: (seconds) => {
      t = FAKE_T0_MS + Math.round(seconds * 1000);
    },
  };
}

/** Yield to timers and I/O between polls (not a sleep: the poll itself decides when to stop). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Poll `check` until it returns true or the deadline passes (then fail with `what`). */
export async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await yieldToEventLoop();
  }
}

/** A tiny seeded PRNG so concurrent-writer tests are reproducible per seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
