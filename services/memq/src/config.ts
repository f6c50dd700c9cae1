import { availableParallelism } from 'node:os';
import { commonSettings as c, custom, defineSettings, int, loadSettings, text } from '@kjobs/observe/config';

/**
 * Where memq listens unless MEMQ_ADDR says otherwise. Not 8080: the chapter forwards the queue
 * pod to localhost:8080 (`kubectl port-forward rs/queue 8080:8080`), which must stay free.
 */
export const MEMQ_DEFAULT_ADDR = '127.0.0.1:8090';

/** The memq service's settings, compiled once from the environment by `loadConfig`. */
export interface MemqServiceConfig {
  /** Listen host. From MEMQ_ADDR (default `127.0.0.1:8090`; `:8090` means all interfaces). */
  host: string;
  /** Listen port (0 picks a free one). */
  port: number;
  /** REDIS_URL, default `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** REDIS_PASSWORD, or the trimmed content of REDIS_PASSWORD_FILE; undefined when neither is set. */
  redisPassword?: string;
  /** KJOBS_REDIS_SENTINELS: ask these Sentinels for the primary (see @kjobs/store/redis). */
  redisSentinels?: { host: string; port: number }[];
  /** KJOBS_REDIS_MASTER_NAME, default `kjobs`. */
  redisMasterName: string;
  /** KJOBS_REDIS_WAIT_REPLICAS: replicas an operation must reach before it is answered; unset: 1 with Sentinels, else 0. */
  redisWaitReplicas?: number;
  /** KJOBS_REDIS_WAIT_TIMEOUT_MS, default 2000. */
  redisWaitTimeout: number;
  /** MEMQ_PREFIX: the Redis key prefix, default `memq:`. */
  prefix: string;
  /** MEMQ_MAX_BODY_BYTES: largest enqueue body, default 16 MiB (kuard has no limit; SPEC §7 wants one). */
  maxBodyBytes: number;
  /** LOG_LEVEL for pino, default `info`. */
  logLevel: string;
  /**
   * MEMQ_WORKERS: server processes sharing the listening socket (node:cluster). Default 2 on a
   * machine with two or more CPUs, else 1. One process spends a fifth of its time waiting on
   * Redis round trips; two keep both cores busy (docs/benchmarks.md, memq).
   */
  workers: number;
}

/** Split `host:port`, `:port` or `[v6]:port`; an empty host means all interfaces. */
export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new Error('is not host:port (e.g. 127.0.0.1:8090 or :8090)');
  const port = Number(m[3]);
  if (port > 65535) throw new Error('has a port above 65535');
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** The memq service's settings (docs/configuration.md is made from them). */
export const memqSettings = defineSettings('memq', `kuard's MemQ work-queue API as a service, durable in Redis.`, {
  addr: custom({ env: 'MEMQ_ADDR', type: 'host:port', parse: parseAddress, default: parseAddress(MEMQ_DEFAULT_ADDR), show: () => MEMQ_DEFAULT_ADDR, help: 'Where to listen; ":8090" = all interfaces (not 8080: the chapter forwards the queue pod to localhost:8080).' }),
  redisUrl: c.redisUrl, redisPassword: c.redisPassword, redisSentinels: c.redisSentinels, redisMasterName: c.redisMasterName,
  redisWaitReplicas: c.redisWaitReplicas, redisWaitTimeout: c.redisWaitTimeout,
  prefix: text({ env: 'MEMQ_PREFIX', default: 'memq:', help: 'Prefix of MemQ\'s Redis keys.' }),
  maxBodyBytes: int({ env: 'MEMQ_MAX_BODY_BYTES', min: 1, default: 16 * 1024 * 1024, help: 'Largest enqueued body.' }),
  workers: int({ env: 'MEMQ_WORKERS', min: 1, max: 64, defaultText: '2 with two or more CPUs, else 1', help: 'Server processes sharing the listening socket.' }),
  logLevel: c.logLevel,
});

/**
 * Build the config from an environment and flags (throws a ConfigError naming a bad setting).
 * `readFile` reads REDIS_PASSWORD_FILE (injected so the function stays pure for tests).
 */
export function loadConfig(env: Record<string, string | undefined>, readFile: (path: string) => string, cpus = availableParallelism(), argv: readonly string[] = []): MemqServiceConfig {
  const v = loadSettings(memqSettings, { env, readFile, argv });
  return {
    ...v.addr,
    redisUrl: v.redisUrl,
    ...(v.redisPassword ? { redisPassword: v.redisPassword } : {}),
    ...(v.redisSentinels ? { redisSentinels: v.redisSentinels } : {}),
    redisMasterName: v.redisMasterName,
    ...(v.redisWaitReplicas === undefined ? {} : { redisWaitReplicas: v.redisWaitReplicas }),
    redisWaitTimeout: v.redisWaitTimeout,
    prefix: v.prefix,
    maxBodyBytes: v.maxBodyBytes,
    logLevel: v.logLevel,
    workers: v.workers ?? Math.min(2, Math.max(1, cpus)),
  };
}
