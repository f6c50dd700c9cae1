import { Redis, type RedisOptions } from 'ioredis';

export { ReplicaWait, NotReplicatedError, type Durability } from './replica-wait.js';
import type { Durability } from './replica-wait.js';

/**
 * The Redis settings every Redis user reads, as `commonSettings` in @kjobs/observe declares
 * them (REDIS_URL, REDIS_PASSWORD, KJOBS_REDIS_SENTINELS, KJOBS_REDIS_MASTER_NAME,
 * KJOBS_REDIS_WAIT_REPLICAS, KJOBS_REDIS_WAIT_TIMEOUT_MS).
 */
export interface RedisSettings {
  redisUrl: string;
  redisPassword?: string | undefined;
  /** Sentinels to ask for the primary; none: REDIS_URL's host is the one Redis. */
  redisSentinels?: { host: string; port: number }[] | undefined;
  /** The name the Sentinels monitor the primary under. */
  redisMasterName: string;
  /** Replicas a write must reach before it is acknowledged; unset: 1 with Sentinels, else 0. */
  redisWaitReplicas?: number | undefined;
  /** How long (ms) a write waits for them. */
  redisWaitTimeout: number;
}

/**
 * The one place a kjobs service builds its Redis client (the api-server and memq use it). Without
 * Sentinels: `REDIS_URL` as it is. With them: ioredis asks the Sentinels for the primary named
 * `redisMasterName`, reconnects to the new one after a failover (when the old connection fails,
 * or a write meets a replica: {@link reconnectOnFailover}), and takes the
 * database number, user and password from REDIS_URL (REDIS_PASSWORD wins); it retries at least
 * every 500 ms while the primary is away, and reconnects when a write meets a replica
 * ({@link reconnectOnFailover}). `options` are the
 * caller's ioredis options (retries, pipelining).
 */
export function createRedisClient(s: RedisSettings, options: RedisOptions = {}): Redis {
  const password = s.redisPassword ? { password: s.redisPassword } : {};
  if (!s.redisSentinels?.length) return new Redis(s.redisUrl, { ...password, ...options });
  const u = new URL(s.redisUrl);
  const db = Number(u.pathname.slice(1) || '0');
  return new Redis({
    sentinels: s.redisSentinels,
    name: s.redisMasterName,
    db: Number.isInteger(db) ? db : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...password,
    // Not ioredis' failoverDetector: its +switch-master disconnects the connector, and when that
    // lands while the client is already reconnecting (the primary was SIGKILLed, the Sentinels
    // still resolving), the reconnect fails with "Connection is closed." and the client ends for
    // good — the Sentinel e2e test's api-server answered every write 500 after a failover.
    // ioredis' default backs off to 2 s between attempts; a failover is over in a few seconds, and
    // every request waits for the reconnect.
    retryStrategy: (times: number) => Math.min(times * 50, 500),
    reconnectOnError: reconnectOnFailover,
    ...options,
  });
}

/**
 * A connection made to the primary that a failover then turned into a replica (the old primary
 * back, reconfigured by the Sentinels, or demoted by `SENTINEL FAILOVER`) answers every write with
 * READONLY, for as long as it stays open: reconnect
 * (to the primary the Sentinels name now) and send the command again — it was refused, not run.
 * LOADING (a restarted server still reading its data) likewise.
 */
export function reconnectOnFailover(err: Error): false | 2 {
  return err.message.startsWith('READONLY') || err.message.startsWith('LOADING') ? 2 : false;
}

/** The acknowledgement rule the settings ask for; undefined: a write is acknowledged when the primary has it. */
export function durabilityOf(s: Pick<RedisSettings, 'redisSentinels' | 'redisWaitReplicas' | 'redisWaitTimeout'>): Durability | undefined {
  const replicas = s.redisWaitReplicas ?? (s.redisSentinels?.length ? 1 : 0);
  return replicas > 0 ? { replicas, timeoutMs: s.redisWaitTimeout } : undefined;
}

/** Where the settings point, for logs and error messages (no password). */
export function describeRedis(s: Pick<RedisSettings, 'redisUrl' | 'redisSentinels' | 'redisMasterName'>): string {
  if (s.redisSentinels?.length) return `the primary "${s.redisMasterName}" of Sentinels ${s.redisSentinels.map((x) => `${x.host}:${x.port}`).join(',')}`;
  return s.redisUrl.replace(/\/\/[^@/]*@/, '//***@');
}
