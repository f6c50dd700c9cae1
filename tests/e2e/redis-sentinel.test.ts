/**
 * Redis failover under Sentinel (issue 21 item 2; docs/reliability.md, Redis failover): the whole
 * cluster as processes on a Redis primary with one replica and three Sentinels
 * (chaos/redis-sentinel.ts), the api-server and memq pointed at the Sentinels. While a Job runs
 * and three clients create ConfigMaps, recording every create that answered 201, the primary is
 * SIGKILLed; the Sentinels promote the replica and the killed server comes back as its replica.
 * Then once more with the replica SIGSTOPped first, so that writes reach the primary alone.
 * Afterwards: every acknowledged create is there with its resourceVersion, every create
 * started after a kill has a resourceVersion above every one seen before it, a watcher
 * from before the failover never saw a resourceVersion go backwards and ends with exactly the
 * objects a fresh list shows (it continued without a gap, or got 410 and relisted), every MemQ
 * item enqueued before is still there, and the Job ends with exactly its completions. The
 * failover times are printed, not asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { isApiError, type Job, type KObject, type Node } from '@kjobs/api';
import { startRedisSentinel, type OwnedRedisSentinel } from '../../chaos/redis-sentinel.js';
import { sleepJob, startE2E, waitFor, type E2E } from './harness.js';

let home: string;
let rs: OwnedRedisSentinel;
let e: E2E;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-sentinel-'));
  rs = await startRedisSentinel(home, { replicas: 1, downAfterMs: 1000, failoverTimeoutMs: 1000 });
  e = await startE2E({ redisUrl: (await rs.primary()).url, env: { ...rs.env, KJOBS_REDIS_WAIT_TIMEOUT_MS: '1000' } });
  await waitFor('two Ready nodes', async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, 90_000);
}, 150_000);
afterAll(async () => {
  await e?.stop();
  // A failure between SIGSTOP and the failover would leave the replica stopped, deaf to SIGTERM.
  for (const n of rs?.nodes ?? []) if (n.alive()) process.kill(n.pid()!, 'SIGCONT');
  await rs?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Ack { name: string; rv: bigint; startedAt: number; ackedAt: number }

/** Clients creating ConfigMaps one after another; each 201 is recorded, each failure counted by its reason. */
function startWriters(clients: number) {
  const acks: Ack[] = [];
  const failures = new Map<string, number>();
  let stopped = false;
  let n = 0;
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) {
      const name = `fo-${n++}`;
      const startedAt = Date.now();
      try {
        const cm = await e.api.create<KObject>('ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { n: name } } as KObject);
        acks.push({ name, rv: BigInt(cm.metadata.resourceVersion!), startedAt, ackedAt: Date.now() });
      } catch (err) {
        const why = isApiError(err) ? `${err.code} ${err.reason}${err.code >= 500 ? `: ${err.message.slice(0, 120)}` : ''}` : (err as Error).message.slice(0, 60);
        failures.set(why, (failures.get(why) ?? 0) + 1);
        await sleep(50);
      }
    }
  });
  return { acks, failures, async stop() { stopped = true; await Promise.all(loops); } };
}

/** An informer of ConfigMaps in `default`: list, watch from there, relist on 410; every session's resourceVersions kept. */
function startWatcher() {
  const cache = new Map<string, string>();
  const sessions: { from: string; rvs: bigint[]; end?: string }[] = [];
  const relists: { before: bigint; listRv: bigint }[] = [];
  let stopped = false;
  let handle: { stop(): void } | undefined;
  let last = 0n;
  const relist = async (): Promise<string> => {
    for (;;) {
      try {
        const l = await e.api.list<KObject>('ConfigMap', { namespace: 'default' });
        cache.clear();
        for (const o of l.items) cache.set(o.metadata.name!, o.metadata.resourceVersion!);
        return l.metadata.resourceVersion!;
      } catch {
        await sleep(100);
      }
    }
  };
  const done = (async () => {
    let rv = await relist();
    while (!stopped) {
      const session: { from: string; rvs: bigint[]; end?: string } = { from: rv, rvs: [] };
      sessions.push(session);
      let gone = false;
      const h = e.api.watch<KObject>('ConfigMap', { namespace: 'default', resourceVersion: rv }, (ev) => {
        if ((ev.type as string) === 'ERROR') {
          gone ||= (ev.object as unknown as { code?: number }).code === 410;
          return;
        }
        const o = ev.object;
        rv = o.metadata.resourceVersion!;
        if ((ev.type as string) === 'BOOKMARK') return;
        session.rvs.push(BigInt(rv));
        last = BigInt(rv);
        if (ev.type === 'DELETED') cache.delete(o.metadata.name!);
        else cache.set(o.metadata.name!, rv);
      });
      handle = h;
      const err = await h.done;
      session.end = gone ? '410 event' : err ? (err as Error).message.slice(0, 80) : 'closed';
      if (stopped) break;
      if (gone || (err && isApiError(err, 410))) {
        const before = last;
        rv = await relist();
        relists.push({ before, listRv: BigInt(rv) });
      } else {
        await sleep(100); // the connection ended: resume from the last revision seen
      }
    }
  })();
  /** How the cache differs from a list, and where the watch stands: the words of a failure. */
  const describe = (listed: Map<string, string>): string => {
    const missing = [...listed].filter(([n]) => !cache.has(n)).map(([n, rv]) => `${n}@${rv}`);
    const extra = [...cache].filter(([n]) => !listed.has(n)).map(([n, rv]) => `${n}@${rv}`);
    const stale = [...listed].filter(([n, rv]) => cache.has(n) && cache.get(n) !== rv).map(([n, rv]) => `${n}@${cache.get(n)}≠${rv}`);
    const s = sessions.at(-1);
    return `missing ${missing.length} [${missing.slice(0, 5).join(' ')}], extra ${extra.length} [${extra.slice(0, 5).join(' ')}], stale ${stale.length} [${stale.slice(0, 5).join(' ')}]; ` +
      `${sessions.length} watch sessions (ends: ${sessions.map((x) => x.end ?? 'open').join(', ')}), the last from ${s?.from} with ${s?.rvs.length} events up to ${s?.rvs.at(-1)}; relists ${JSON.stringify(relists, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
  };
  return { cache, sessions, relists, describe, async stop() { stopped = true; handle?.stop(); await done; } };
}

async function memq(method: string, p: string, body?: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${e.memqPort}/memq/server${p}`, { method, ...(body === undefined ? {} : { body }) });
  return { status: r.status, text: await r.text() };
}

describe('Redis primary SIGKILLed under Sentinel', { timeout: 600_000 }, () => {
  it('loses no acknowledged write, never moves a resourceVersion back, and keeps every MemQ item', async () => {
    await waitFor('memq serving', () => memq('GET', '/stats').then((r) => r.status === 200, () => false), 60_000, 100);
    expect((await memq('PUT', '/queues/fo')).status).toBe(200);
    const enqueued: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await memq('POST', '/queues/fo/enqueue', `item-${i}`);
      expect(r.status).toBe(200);
      enqueued.push((JSON.parse(r.text) as { id: string }).id);
    }
    const COMPLETIONS = 10;
    await e.api.create('Job', sleepJob('redis-ha', { completions: COMPLETIONS, parallelism: 2, sleep: 1 }));
    const watcher = startWatcher();
    const writers = startWriters(3);
    await waitFor('200 acknowledged creates', () => writers.acks.length >= 200, 60_000, 50);

    // Everything a client saw before the kill: acknowledged creates and the watcher's events.
    let seenBefore = 0n;
    const f = await rs.failover({
      timeoutMs: 60_000,
      onKilled: () => (seenBefore = [...writers.acks.map((a) => a.rv), ...watcher.sessions.flatMap((s) => s.rvs)].reduce((a, b) => (a > b ? a : b), 0n)),
    });
    const { killedAt, promotedMs, replicatedMs } = f;
    const firstAfter = await waitFor('an acknowledged create started after the kill', () => writers.acks.find((a) => a.startedAt > killedAt), 60_000, 20);
    // A watch from a position before the failover: the new primary raised the floor above it.
    let oldCode: number | undefined;
    const old = e.api.watch<KObject>('ConfigMap', { namespace: 'default', resourceVersion: seenBefore.toString() }, (ev) => {
      if ((ev.type as string) === 'ERROR') oldCode = (ev.object as unknown as { code?: number }).code;
    });
    const oldErr = await old.done;
    expect(oldErr && isApiError(oldErr) ? oldErr.code : oldCode).toBe(410);
    const ackedBefore = writers.acks.length;
    await waitFor('200 more acknowledged creates', () => writers.acks.length >= ackedBefore + 200, 60_000, 50);

    // Again, with the replica behind: SIGSTOPped, and 48 MB of filler written to the primary so
    // that the kernel's socket buffers cannot hold the replication stream for it, until writes
    // pile up on the primary alone (with asynchronous replication 30 of them would be acknowledged
    // and lost; with the rule they wait and fail with 503). Then the primary is SIGKILLed and the
    // replica resumed, to be promoted.
    const replica = rs.nodes.find((n) => n !== f.promoted && n.alive())!;
    const primary = await rs.primary();
    expect(primary).toBe(f.promoted);
    process.kill(replica.pid()!, 'SIGSTOP');
    const filler = new Redis(primary.port, '127.0.0.1');
    for (let i = 0; i < 3; i++) await filler.set(`filler-${i}`, Buffer.alloc(16 << 20, i));
    filler.disconnect();
    const acks0 = writers.acks.length;
    const failed = () => [...writers.failures.values()].reduce((a, b) => a + b, 0);
    const failed0 = failed();
    await waitFor('writes waiting on the stopped replica', () => failed() >= failed0 + 3 || writers.acks.length >= acks0 + 30, 30_000, 10);
    let seenBefore2 = 0n;
    const f2 = await rs.failover({
      timeoutMs: 60_000,
      onKilled: () => {
        process.kill(replica.pid()!, 'SIGCONT');
        seenBefore2 = [...writers.acks.map((a) => a.rv), ...watcher.sessions.flatMap((s) => s.rvs)].reduce((a, b) => (a > b ? a : b), 0n);
      },
    });
    await waitFor('an acknowledged create started after the second kill', () => writers.acks.find((a) => a.startedAt > f2.killedAt), 60_000, 20)
      .catch((err: Error) => Promise.reject(new Error(`${err.message}; failures: ${JSON.stringify([...writers.failures])}`)));
    const ackedBefore2 = writers.acks.length;
    await waitFor('100 more acknowledged creates', () => writers.acks.length >= ackedBefore2 + 100, 60_000, 50);
    await writers.stop();
    console.log(`Second failover (replica stopped first): promoted after ${f2.promotedMs} ms, replicated after ${f2.replicatedMs} ms`);
    console.log(`Redis failover: replica promoted ${promotedMs} ms after the SIGKILL, killed server back as its replica after ${replicatedMs} ms, first create started after the kill acknowledged ${firstAfter.ackedAt - killedAt} ms after it (resourceVersion ${seenBefore} seen before, ${firstAfter.rv} after); ${writers.acks.length} creates acknowledged, failures: ${JSON.stringify([...writers.failures])}; watcher relists: ${watcher.relists.length}`);

    // Every acknowledged create is there, with the resourceVersion it was acknowledged with.
    const listed = await e.api.list<KObject>('ConfigMap', { namespace: 'default' });
    const byName = new Map(listed.items.map((o) => [o.metadata.name!, o.metadata.resourceVersion!]));
    const missing = writers.acks.filter((a) => byName.get(a.name) !== a.rv.toString());
    expect(missing).toEqual([]);
    // Acknowledged after the kill: above every revision any client saw before it.
    const after = writers.acks.filter((a) => a.startedAt > killedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((a) => a.rv <= seenBefore)).toEqual([]);
    const after2 = writers.acks.filter((a) => a.startedAt > f2.killedAt);
    expect(after2.length).toBeGreaterThan(0);
    expect(after2.filter((a) => a.rv <= seenBefore2)).toEqual([]);

    // The watcher: strictly increasing within each watch, each relist above what it had seen,
    // and in the end exactly what a fresh list shows (no change skipped).
    for (const s of watcher.sessions) expect(s.rvs.every((rv, i) => i === 0 || rv > s.rvs[i - 1]!)).toBe(true);
    for (const r of watcher.relists) expect(r.listRv).toBeGreaterThan(r.before);
    await waitFor('the watcher caught up', () => watcher.cache.size === byName.size && [...byName].every(([n, rv]) => watcher.cache.get(n) === rv), 30_000, 50)
      .catch((err: Error) => Promise.reject(new Error(`${err.message}: ${watcher.describe(byName)}`)));
    await watcher.stop();

    // MemQ: every item enqueued (and answered 200) before the failover is still there.
    const got = new Set<string>();
    for (;;) {
      const r = await memq('POST', '/queues/fo/dequeue');
      if (r.status === 204) break;
      expect(r.status, `dequeue answered ${r.status}: ${r.text}`).toBe(200);
      got.add((JSON.parse(r.text) as { id: string }).id);
    }
    expect(enqueued.filter((id) => !got.has(id))).toEqual([]);

    const job = await waitFor('the Job Complete', async () => {
      const j = await e.api.get<Job>('Job', 'default', 'redis-ha');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 180_000);
    expect(job.status?.succeeded).toBe(COMPLETIONS);
    expect(job.status?.failed ?? 0).toBe(0);
  });
});
