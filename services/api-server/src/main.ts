/**
 * api-server entry point: reads its settings (settings.ts; `--help` lists them), connects to Redis
 * and NATS, generates TLS material and the admin token on first start, writes the kubeconfig, and
 * serves.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { connectBus } from '@kjobs/bus';
import { configure, createLogger, writeFileAtomically } from '@kjobs/observe';
import { DEFAULT_LIST_READ_AHEAD, RedisStore } from '@kjobs/store';
import { createRedisClient, describeRedis, durabilityOf } from '@kjobs/store/redis';
import { DEFAULT_SANS, loadOrCreatePki } from './pki.js';
import { startApiServer } from './server.js';
import { readTokenFile, tokenFileCredentials } from './tokens.js';
import { clusterId } from './cluster-id.js';
import { readOrCreateFile } from './create-once.js';
import { RelayLease } from './relay-lease.js';
import { apiServerSettings } from './settings.js';

const cfg = configure(apiServerSettings);
const log = createLogger('api-server', { level: cfg.logLevel });

const home = path.resolve(cfg.home);
const { host, port } = cfg.apiAddr;
const tokenFile = cfg.tokenAuthFile ?? path.join(home, 'tokens.csv');

// Made once; api-servers sharing a home that start together all read the first one written.
readOrCreateFile(tokenFile, () => {
  log.info({ tokenFile }, 'generating an admin token');
  return `${randomBytes(24).toString('hex')},admin,admin,"system:masters"\n`;
});
const tokens = readTokenFile(tokenFile);
const pki = cfg.tls ? await loadOrCreatePki(cfg.pkiDir ?? path.join(home, 'pki'), [...DEFAULT_SANS, ...(cfg.tlsSans ?? [])]) : undefined;

const redis = createRedisClient(cfg, { maxRetriesPerRequest: null, lazyConnect: false, enableAutoPipelining: true });
redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
const durability = durabilityOf(cfg);
const store = new RedisStore({
  redis, prefix: cfg.storePrefix, logRetentionSeconds: cfg.watchRetention / 1000, ...(durability ? { durability } : {}),
  ...(cfg.listReadAhead ? { listReadAhead: DEFAULT_LIST_READ_AHEAD } : {}),
});
await store.init();
// A cluster's keys are its own: a second cluster (another KJOBS_HOME) on the same Redis and prefix
// must not adopt the first one's objects, whose pods and logs live elsewhere.
const owner = { id: clusterId(home, cfg.clusterId), home };
const other = await store.claim(owner);
if (other) {
  log.fatal({ owner: other, self: owner }, 'the store belongs to another cluster');
  console.error(`kjobs api-server: ${describeRedis(cfg)} (key prefix "${cfg.storePrefix}") already holds the objects of another kjobs cluster (home ${other.home}, id ${other.id}); this one is ${home}. Stop that cluster and use its KJOBS_HOME, or give this one its own store: KJOBS_STORE_PREFIX=<name>, or another Redis database (REDIS_URL=redis://127.0.0.1:6379/1).`);
  process.exit(3);
}
// A Redis restart or a Sentinel failover may have lost its last writes: re-run the restart rule
// on every reconnect so no revision is ever reissued (watchers below the new floor get 410 and
// relist). With `durability` no client was handed a revision the replicas lacked, so writes that
// reach a promoted replica before this rule runs reuse no revision anyone saw.
redis.on('ready', () => void store.init().catch((e) => log.error({ err: e }, 'store restart rule failed')));
const nc = await connectBus({ url: cfg.natsUrl, name: 'api-server', user: cfg.natsUser, pass: cfg.natsPassword });

const srv = await startApiServer({
  store, nc, log, host, port, tls: pki, tokens, reloadTokens: () => readTokenFile(tokenFile),
  allowAnonymous: cfg.allowAnonymous,
  subjectPrefix: cfg.subjectPrefix,
  memqUrl: cfg.memqUrl,
  eventTtlMs: cfg.eventTtl,
  relayLease: cfg.relayLease ? new RelayLease({ redis, prefix: cfg.storePrefix, id: `${hostname()}:${process.pid}`, log: log.child({ component: 'relay-lease' }) }) : undefined,
  join: {
    credentials: tokenFileCredentials(tokenFile),
    clusterInfo: { server: cfg.advertiseUrl, caPem: pki?.caCert, natsUrl: cfg.natsAdvertiseUrl ?? String(cfg.natsUrl).split(',')[0]! },
  },
});

if (cfg.kubeconfig) {
  const admin = [...tokens].find(([, id]) => id.groups.includes('system:masters'));
  const cluster: Record<string, unknown> = { server: cfg.advertiseUrl ?? srv.url };
  if (pki) cluster['certificate-authority-data'] = Buffer.from(pki.caCert).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  const kubeconfig = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'kjobs', preferences: {},
    clusters: [{ name: 'kjobs', cluster }],
    users: [{ name: 'kjobs-admin', user: { token: admin?.[0] ?? '' } }],
    contexts: [{ name: 'kjobs', context: { cluster: 'kjobs', user: 'kjobs-admin', namespace: 'default' } }],
  };
  writeFileAtomically(cfg.kubeconfig, JSON.stringify(kubeconfig, null, 2), 0o600);
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
