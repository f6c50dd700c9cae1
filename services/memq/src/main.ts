import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadConfig, memqSettings } from './config.js';
import { superviseWorkers } from './supervisor.js';
import { ConfigError, createLogger, settingsUsage } from '@kjobs/observe/config';

/**
 * The memq service: kuard's MemQ API, durable in Redis.
 * does: 1. read the settings (config.ts; `--help` lists them)  2. with MEMQ_WORKERS > 1 (the default on a multi-core machine),
 * become the primary that runs that many worker processes (supervisor.ts), each doing 3–5
 * 3. connect to Redis  4. listen  5. on SIGTERM/SIGINT stop accepting, let in-flight requests
 * finish (at most 10 s), close Redis, exit 0.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(settingsUsage(memqSettings));
    return;
  }
  let config;
  try {
    config = loadConfig(process.env, (p) => readFileSync(p, 'utf8'), undefined, argv);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`memq: ${e.message}\n`);
    process.exit(2);
  }
  const worker = cluster.isWorker ? cluster.worker?.id : undefined;
  const log = createLogger('memq', { level: config.logLevel, ...(worker === undefined ? {} : { fields: { worker } }) });
  if (config.workers > 1 && cluster.isPrimary) {
    log.info({ workers: config.workers, address: `${config.host}:${config.port}` }, 'memq starting its workers');
    superviseWorkers({ workers: config.workers, log });
    return;
  }
  // Only a worker (or a single process) serves: the primary never loads the server, so it forks
  // its workers sooner after a restart.
  const [{ createRedisClient, describeRedis, durabilityOf }, { RedisBroker }, { createMemqServer }] = await Promise.all([import('@kjobs/store/redis'), import('@kjobs/memq'), import('./server.js')]);

  const redis = createRedisClient(config, {
    // Fail requests fast while Redis is down instead of queueing them forever.
    maxRetriesPerRequest: 3,
    // RedisBroker coalesces its EVALSHAs per loop turn itself; ioredis's auto-pipelining path
    // measured about half as fast for EVALSHA.
    enableAutoPipelining: false,
  });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  const durability = durabilityOf(config);
  const broker = new RedisBroker({ redis, prefix: config.prefix, ...(durability ? { durability } : {}) });
  const server = createMemqServer({
    broker,
    maxBodyBytes: config.maxBodyBytes,
    logger: log.child({ component: 'http' }),
    clusterWorker: cluster.isWorker,
    health: async () => {
      await redis.ping();
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const addr = server.address() as AddressInfo;
  // Each worker logs this; the primary's 'starting its workers' line comes first.
  log.info({ address: `${addr.address}:${addr.port}`, prefix: config.prefix, redis: describeRedis(config) }, 'memq listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.warn('in-flight requests did not finish in 10s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close(() => {
      redis.quit().finally(() => {
        log.info('stopped');
        process.exit(0);
      });
    });
    // close() only drops connections idle right now; keep-alive connections that finish their
    // in-flight request later would hold it open until their idle timeout.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 50).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`memq: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
