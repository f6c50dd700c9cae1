import { availableParallelism } from 'node:os';

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
  if (!m) throw new Error(`MEMQ_ADDR must be host:port, got ${JSON.stringify(addr)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`MEMQ_ADDR port out of range: ${addr}`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/**
 * Build the config from an environment. `readFile` reads REDIS_PASSWORD_FILE (injected so the
 * function stays pure for tests).
 */
export function loadConfig(env: Record<string, string | undefined>, readFile: (path: string) => string, cpus = availableParallelism()): MemqServiceConfig {
  const { host, port } = parseAddress(env.MEMQ_ADDR || MEMQ_DEFAULT_ADDR);
  let redisPassword = env.REDIS_PASSWORD || undefined;
  if (!redisPassword && env.REDIS_PASSWORD_FILE) redisPassword = readFile(env.REDIS_PASSWORD_FILE).trim();
  const maxBodyBytes = env.MEMQ_MAX_BODY_BYTES ? Number(env.MEMQ_MAX_BODY_BYTES) : 16 * 1024 * 1024;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new Error(`MEMQ_MAX_BODY_BYTES must be a positive integer`);
  const workers = env.MEMQ_WORKERS ? Number(env.MEMQ_WORKERS) : Math.min(2, Math.max(1, cpus));
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`MEMQ_WORKERS must be an integer from 1 to 64, got ${JSON.stringify(env.MEMQ_WORKERS)}`);
  return {
    host,
    port,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    ...(redisPassword ? { redisPassword } : {}),
    prefix: env.MEMQ_PREFIX ?? 'memq:',
    maxBodyBytes,
    logLevel: env.LOG_LEVEL || 'info',
    workers,
  };
}

/** `memq --help`: what the service is, where it listens, and the environment it reads. */
export function memqUsage(): string {
  return `memq: kuard's MemQ work-queue API as a service, durable in Redis.

Listens on http://${MEMQ_DEFAULT_ADDR} by default (not 8080: the chapter forwards the queue pod
to localhost:8080). Configured by the environment:

  MEMQ_ADDR             host:port to listen on (default ${MEMQ_DEFAULT_ADDR}; ":8090" = all interfaces)
  REDIS_URL             Redis (default redis://127.0.0.1:6379)
  REDIS_PASSWORD        Redis password (or REDIS_PASSWORD_FILE: a file holding it)
  MEMQ_PREFIX           Redis key prefix (default "memq:")
  MEMQ_MAX_BODY_BYTES   largest enqueued body (default 16777216)
  MEMQ_WORKERS          server processes (default 2 with two or more CPUs, else 1)
  LOG_LEVEL             pino level (default info)
`;
}
