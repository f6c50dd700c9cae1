/**
 * A Redis primary with replicas watched by three Sentinels, all owned by this run on free loopback
 * ports under `home` (tests/e2e/redis-failover.test.ts; `npm start -- --ha` may reuse it). Services
 * reach it through `env` (KJOBS_REDIS_SENTINELS, KJOBS_REDIS_MASTER_NAME): they ask the
 * Sentinels for the primary and follow its failovers (@kjobs/store/redis).
 *
 * The Redis servers keep no files (`--save ''`, no AOF): what survives a SIGKILL is what the
 * replicas have, which is the rule under test (docs/reliability.md, Redis failover). A server
 * without persistence must not come back as the primary before the Sentinels have failed over
 * (it would return empty and replicate its emptiness): `failover()` restarts the killed one only
 * after the promotion, as a replica of the new primary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../scripts/infra.js';
import { ownedServer, type OwnedServer } from './infra.js';

/** Options of startRedisSentinel; every field has a default. */
export interface RedisSentinelOptions {
  /** Replicas of the primary. Default 1. */
  replicas?: number;
  /** Sentinel `down-after-milliseconds`: how long the primary must not answer before it is down. Default 1000. */
  downAfterMs?: number;
  /**
   * Sentinel `failover-timeout`; a Sentinel that lost an election tries again after twice this
   * (a split vote with 3000 took 8.5 s to promote). Default 1000.
   */
  failoverTimeoutMs?: number;
  /** The name the Sentinels monitor the primary under. Default "kjobs". */
  masterName?: string;
}

/** The servers, and what a failover took. */
export interface OwnedRedisSentinel {
  /** The redis-servers; [0] is the first primary. */
  nodes: OwnedServer[];
  sentinels: OwnedServer[];
  masterName: string;
  /** The settings that point a kjobs service at these Sentinels. */
  env: { KJOBS_REDIS_SENTINELS: string; KJOBS_REDIS_MASTER_NAME: string };
  /** The node the Sentinels name as primary now (asks them in turn). */
  primary(): Promise<OwnedServer>;
  /**
   * SIGKILL the current primary and wait until the Sentinels name another one; then (unless
   * `restart: false`) start the killed one again as its replica, and wait until the new
   * primary has all its replicas back. `onKilled` runs as soon as the killed server has exited
   * (`killedAt`). `promotedMs`: SIGKILL to the new primary named;
   * `replicatedMs`: SIGKILL to every replica online again.
   */
  failover(o?: { restart?: boolean; timeoutMs?: number; onKilled?: () => void }): Promise<{ killed: OwnedServer; killedAt: number; promoted: OwnedServer; promotedMs: number; replicatedMs?: number }>;
  /** Resolves once the current primary has `n` (default: every other node) replicas online. */
  replicated(n?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ask<T>(port: number, ...args: (string | number)[]): Promise<T | undefined> {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.call(...(args as [string, ...(string | number)[]]))) as T;
  } catch {
    return undefined;
  } finally {
    c.disconnect();
  }
}

/** Start a primary, `replicas` replicas and three Sentinels (quorum 2); resolves once all replicas are online and every Sentinel sees them. */
export async function startRedisSentinel(home: string, o: RedisSentinelOptions = {}): Promise<OwnedRedisSentinel> {
  const masterName = o.masterName ?? 'kjobs';
  const count = 1 + (o.replicas ?? 1);
  const ports = await Promise.all(Array.from({ length: count + 3 }, () => freePort()));
  const nodePorts = ports.slice(0, count);
  const sentinelPorts = ports.slice(count);
  const nodes = nodePorts.map((port, i) => {
    const dir = path.join(home, `redis-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    return ownedServer('redis', port, 'redis-server', [
      '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--daemonize', 'no', '--save', '', '--appendonly', 'no',
      // A replica that (re)joins gets its full sync at once, not after the 5 s default delay.
      '--maxmemory-policy', 'noeviction', '--repl-diskless-sync-delay', '0', '--logfile', path.join(dir, 'redis.log'),
      ...(i > 0 ? ['--replicaof', '127.0.0.1', String(nodePorts[0])] : []),
    ], dir);
  });
  const sentinels = sentinelPorts.map((port, i) => {
    const dir = path.join(home, `sentinel-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', 'daemonize no', `dir ${dir}`, `logfile ${path.join(dir, 'sentinel.log')}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${nodePorts[0]} 2`,
      `sentinel down-after-milliseconds ${masterName} ${o.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${masterName} ${o.failoverTimeoutMs ?? 1000}`,
      `sentinel parallel-syncs ${masterName} 1`, '',
    ].join('\n'));
    return ownedServer('sentinel', port, 'redis-sentinel', [conf], dir);
  });

  // The primary a majority of the Sentinels names (one may still be catching up after a failover).
  const primaryPort = async (): Promise<number | undefined> => {
    const named = await Promise.all(sentinels.map((s) => (s.alive() ? ask<[string, string]>(s.port, 'SENTINEL', 'get-master-addr-by-name', masterName) : undefined)));
    const votes = new Map<number, number>();
    for (const r of named) if (r) votes.set(Number(r[1]), (votes.get(Number(r[1])) ?? 0) + 1);
    return [...votes].find(([, n]) => n > sentinels.length / 2)?.[0];
  };
  const onlineReplicas = async (port: number): Promise<number> => {
    const info = await ask<string>(port, 'INFO', 'replication');
    return [...(info ?? '').matchAll(/^slave\d+:.*state=online/gm)].length;
  };
  const byPort = (port: number | undefined) => nodes.find((n) => n.port === port);

  const rs: OwnedRedisSentinel = {
    nodes, sentinels, masterName,
    env: { KJOBS_REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), KJOBS_REDIS_MASTER_NAME: masterName },
    async primary() {
      const p = byPort(await primaryPort());
      if (!p) throw new Error('no Sentinel names a primary');
      return p;
    },
    async replicated(n = count - 1, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const p = await primaryPort();
        const seen = await Promise.all(sentinels.map((s) => ask<string[]>(s.port, 'SENTINEL', 'replicas', masterName)));
        const known = seen.every((r) => (r ?? []).length >= n);
        if (p !== undefined && (await onlineReplicas(p)) >= n && known) return;
        if (Date.now() > end) throw new Error(`the Redis primary has not got ${n} online replicas after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async failover({ restart = true, timeoutMs = 60_000, onKilled } = {}) {
      const killed = await rs.primary();
      const t0 = Date.now();
      await killed.kill('SIGKILL');
      const killedAt = Date.now();
      onKilled?.();
      let promoted: OwnedServer | undefined;
      while (!promoted) {
        const p = byPort(await primaryPort());
        if (p && p !== killed) promoted = p;
        else if (Date.now() - t0 > timeoutMs) throw new Error(`the Sentinels did not promote a replica within ${timeoutMs} ms`);
        else await sleep(20);
      }
      const promotedMs = Date.now() - t0;
      if (!restart) return { killed, killedAt, promoted, promotedMs };
      // As a supervisor that asks the Sentinels first would (the Bitnami chart's start script
      // does): straight in as a replica of the new primary. Left to the Sentinels, a returning
      // old primary is converted only after it has looked stable for 8 s (SENTINEL_PUBLISH_PERIOD*4).
      await killed.start(['--replicaof', '127.0.0.1', String(promoted.port)]);
      await rs.replicated(count - 1, timeoutMs);
      return { killed, killedAt, promoted, promotedMs, replicatedMs: Date.now() - t0 };
    },
    async stop() {
      await Promise.all([...sentinels, ...nodes].map((s) => s.kill('SIGTERM')));
    },
  };
  for (const n of nodes) await n.start();
  await Promise.all(sentinels.map((s) => s.start()));
  await rs.replicated();
  return rs;
}
