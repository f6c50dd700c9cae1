import { cidr, custom, duration, int, listenAddress, oneOf, path, secret, text, url } from './setting-kinds.js';

/** `host:port,host:port` → the list (a bare host or port is refused). */
export function parseHostPorts(t: string): { host: string; port: number }[] {
  return t.split(',').map((hp) => hp.trim()).filter(Boolean).map((hp) => {
    const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(hp);
    const port = Number(m?.[3]);
    if (!m || !(port >= 1 && port <= 65535)) throw new Error(`has "${hp}", which is not host:port`);
    return { host: m[1] ?? m[2]!, port };
  });
}

/**
 * Settings more than one service reads, declared once so that each means one thing everywhere
 * (docs/configuration.md refuses two declarations of one variable). A service picks the ones it
 * reads into its own `defineSettings`.
 */
export const commonSettings = {
  logLevel: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { env: 'LOG_LEVEL', default: 'info', help: 'Log level (pino).' }),
  natsUrl: url({ env: 'NATS_URL', protocols: ['nats:', 'tls:', 'ws:', 'wss:'], list: true, default: 'nats://127.0.0.1:4222', help: 'NATS servers (comma-separated for a cluster).' }),
  natsUser: text({ env: 'NATS_USER', help: 'NATS user name.' }),
  natsPassword: secret({ env: 'NATS_PASSWORD', help: 'NATS password.' }),
  token: secret({ env: 'KJOBS_TOKEN', help: 'Bearer token of the service\'s API identity (a line of the api-server\'s tokens file).' }),
  subjectPrefix: text({ env: 'KJOBS_SUBJECT_PREFIX', default: 'kjobs', help: 'First token of every NATS subject; clusters sharing one NATS need different ones.' }),
  httpAddr: listenAddress({ env: 'KJOBS_HTTP_ADDR', default: '127.0.0.1:0', help: 'Where /healthz, /readyz and /metrics are served; port 0 = a free one, logged and written to KJOBS_ADDR_FILE.' }),
  addrFile: path({ env: 'KJOBS_ADDR_FILE', help: 'Write the URL of the /healthz, /readyz and /metrics port to this file (npm start collects them in endpoints.json).' }),
  leaderIdentity: text({ env: 'KJOBS_LEADER_IDENTITY', defaultText: '<hostname>_<random>', help: 'Identity in the leader Lease; a stable one lets a restarted replica take its Lease back at once instead of waiting for it to expire.' }),
  redisUrl: url({ env: 'REDIS_URL', protocols: ['redis:', 'rediss:'], default: 'redis://127.0.0.1:6379', help: 'Redis (a database number as the path: redis://127.0.0.1:6379/1).' }),
  redisPassword: secret({ env: 'REDIS_PASSWORD', help: 'Redis password.' }),
  redisSentinels: custom({ env: 'KJOBS_REDIS_SENTINELS', type: 'host:port, comma-separated', parse: parseHostPorts, show: (v: { host: string; port: number }[]) => v.map((s) => `${s.host}:${s.port}`).join(','), help: 'Redis Sentinels: connect to the primary they name (KJOBS_REDIS_MASTER_NAME) and follow its failovers; REDIS_URL then only gives the database number (docs/reliability.md, Redis failover).' }),
  redisMasterName: text({ env: 'KJOBS_REDIS_MASTER_NAME', default: 'kjobs', help: 'With Sentinels: the name they monitor the primary under.' }),
  redisWaitReplicas: int({ env: 'KJOBS_REDIS_WAIT_REPLICAS', min: 0, defaultText: '1 with Sentinels, else 0', help: 'A write is acknowledged only once this many replicas have it (WAIT); 0: when the primary has it.' }),
  redisWaitTimeout: duration({ env: 'KJOBS_REDIS_WAIT_TIMEOUT_MS', unit: 'ms', default: 2000, help: 'How long a write waits for its replicas before it fails with 503 (it may still have been applied).' }),
  home: path({ env: 'KJOBS_HOME', default: '.kjobs', help: 'The cluster\'s directory: tokens, PKI, cluster id, node directories.' }),
  memqUrl: url({ env: 'KJOBS_MEMQ_URL', protocols: ['http:', 'https:'], help: 'kjobs\' MemQ service: the api-server polls it for the dashboard\'s queue panel; the job-controller\'s queue-aware completion asks it about Jobs without kjobs.io/memq-server.' }),
  clusterCIDR: cidr({ env: 'KJOBS_CLUSTER_CIDR', off: true, default: '10.244.0.0/16', help: 'The cluster\'s pod addresses: the job-controller gives each Node a pod CIDR from it and agents route it between nodes; off: no node IPAM (and no pod network).' }),
};
