/**
 * api-server entry point: reads the environment, connects to Redis and NATS, generates TLS
 * material and the admin token on first start, writes the kubeconfig, and serves.
 *
 * Environment: KJOBS_HOME (.kjobs), KJOBS_API_ADDR (127.0.0.1:6443), KJOBS_TLS (1; 0 = plain HTTP),
 * KJOBS_PKI_DIR ($KJOBS_HOME/pki), KJOBS_TOKEN_AUTH_FILE ($KJOBS_HOME/tokens.csv), KJOBS_KUBECONFIG
 * (write a kubeconfig there), KJOBS_ADVERTISE_URL (server URL in it), KJOBS_TLS_SANS (extra certificate names, comma-separated),
 * KJOBS_ALLOW_ANONYMOUS (0), REDIS_URL, REDIS_PASSWORD[_FILE], NATS_URL, NATS_USER,
 * NATS_PASSWORD[_FILE], KJOBS_EVENT_TTL_SECONDS (3600), KJOBS_WATCH_RETENTION_SECONDS (300), KJOBS_SUBJECT_PREFIX (kjobs), KJOBS_STORE_PREFIX (kjobs), KJOBS_CLUSTER_ID (default: <home>/cluster-id, made once; the store is claimed for it and another cluster's store is refused), LOG_LEVEL (info),
 * KJOBS_MEMQ_URL (unset; MemQ's URL, polled for the dashboard's queue panel).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connectBus } from '@kjobs/bus';
import { RedisStore } from '@kjobs/store';
import { DEFAULT_SANS, loadOrCreatePki } from './pki.js';
import { startApiServer } from './server.js';
import { readTokenFile } from './tokens.js';
import { clusterId } from './cluster-id.js';
import { createLogger } from '@kjobs/observe';

const env = process.env;
const log = createLogger('api-server', { level: env.LOG_LEVEL });

function secret(name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return env[name] || undefined;
}

const home = path.resolve(env.KJOBS_HOME ?? '.kjobs');
const [host, portStr] = splitAddr(env.KJOBS_API_ADDR ?? '127.0.0.1:6443');
const useTls = (env.KJOBS_TLS ?? '1') !== '0';
const tokenFile = env.KJOBS_TOKEN_AUTH_FILE ?? path.join(home, 'tokens.csv');

function splitAddr(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', Number(a.slice(i + 1))];
}

if (!existsSync(tokenFile)) {
  mkdirSync(path.dirname(tokenFile), { recursive: true, mode: 0o700 });
  writeFileSync(tokenFile, `${randomBytes(24).toString('hex')},admin,admin,"system:masters"\n`, { mode: 0o600 });
  log.info({ tokenFile }, 'generated an admin token');
}
const tokens = readTokenFile(tokenFile);
const pki = useTls ? await loadOrCreatePki(env.KJOBS_PKI_DIR ?? path.join(home, 'pki'), [...DEFAULT_SANS, ...(env.KJOBS_TLS_SANS ?? '').split(',').filter(Boolean)]) : undefined;

const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { password: secret('REDIS_PASSWORD'), maxRetriesPerRequest: null, lazyConnect: false, enableAutoPipelining: true });
const store = new RedisStore({ redis, prefix: env.KJOBS_STORE_PREFIX ?? 'kjobs', logRetentionSeconds: Number(env.KJOBS_WATCH_RETENTION_SECONDS ?? 300) });
await store.init();
// A cluster's keys are its own: a second cluster (another KJOBS_HOME) on the same Redis and prefix
// must not adopt the first one's objects, whose pods and logs live elsewhere.
const owner = { id: clusterId(home, env.KJOBS_CLUSTER_ID), home };
const other = await store.claim(owner);
if (other) {
  log.fatal({ owner: other, self: owner }, 'the store belongs to another cluster');
  console.error(`kjobs api-server: ${env.REDIS_URL ?? 'redis://127.0.0.1:6379'} (key prefix "${env.KJOBS_STORE_PREFIX ?? 'kjobs'}") already holds the objects of another kjobs cluster (home ${other.home}, id ${other.id}); this one is ${home}. Stop that cluster and use its KJOBS_HOME, or give this one its own store: KJOBS_STORE_PREFIX=<name>, or another Redis database (REDIS_URL=redis://127.0.0.1:6379/1).`);
  process.exit(3);
}
// A Redis restart may have lost its last writes: re-run the restart rule on every reconnect so
// no revision is ever reissued (watchers below the new floor get 410 and relist).
redis.on('ready', () => void store.init().catch((e) => log.error({ err: e }, 'store restart rule failed')));
const nc = await connectBus({ url: env.NATS_URL, name: 'api-server', user: env.NATS_USER, pass: secret('NATS_PASSWORD') });

const srv = await startApiServer({
  store, nc, log, host, port: portStr, tls: pki, tokens, reloadTokens: () => readTokenFile(tokenFile),
  allowAnonymous: env.KJOBS_ALLOW_ANONYMOUS === '1',
  subjectPrefix: env.KJOBS_SUBJECT_PREFIX,
  memqUrl: env.KJOBS_MEMQ_URL || undefined,
  eventTtlMs: Number(env.KJOBS_EVENT_TTL_SECONDS ?? 3600) * 1000,
});

if (env.KJOBS_KUBECONFIG) {
  const admin = [...tokens].find(([, id]) => id.groups.includes('system:masters'));
  const cluster: Record<string, unknown> = { server: env.KJOBS_ADVERTISE_URL ?? srv.url };
  if (pki) cluster['certificate-authority-data'] = Buffer.from(pki.caCert).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  const kubeconfig = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'kjobs', preferences: {},
    clusters: [{ name: 'kjobs', cluster }],
    users: [{ name: 'kjobs-admin', user: { token: admin?.[0] ?? '' } }],
    contexts: [{ name: 'kjobs', context: { cluster: 'kjobs', user: 'kjobs-admin', namespace: 'default' } }],
  };
  mkdirSync(path.dirname(env.KJOBS_KUBECONFIG), { recursive: true });
  writeFileSync(env.KJOBS_KUBECONFIG, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
}
log.info({ url: srv.url }, 'api-server listening');

let stopping = false;
async function shutdown(sig: string) {
  if (stopping) return;
  stopping = true;
  log.info({ sig }, 'shutting down');
  await srv.close().catch(() => undefined);
  await nc.drain().catch(() => undefined);
  redis.disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
