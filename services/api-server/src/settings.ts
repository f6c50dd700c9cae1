import { bool, commonSettings as c, custom, defineSettings, duration, listenAddress, path, text, url } from '@kjobs/observe';

/** The api-server's settings (docs/configuration.md is made from them). */
export const apiServerSettings = defineSettings('api-server', 'the Kubernetes API over HTTPS and NATS, objects in Redis; makes TLS material and the admin token on first start.', {
  home: c.home,
  apiAddr: listenAddress({ env: 'KJOBS_API_ADDR', default: '127.0.0.1:6443', help: 'Where the API listens.' }),
  tls: bool({ env: 'KJOBS_TLS', default: true, help: 'Serve HTTPS (false: plain HTTP).' }),
  pkiDir: path({ env: 'KJOBS_PKI_DIR', defaultText: '$KJOBS_HOME/pki', help: 'CA and serving certificate, made there on first start.' }),
  tlsSans: custom({ env: 'KJOBS_TLS_SANS', type: 'names, comma-separated', parse: (t) => t.split(',').map((n) => n.trim()).filter(Boolean), help: 'Extra names and addresses in the serving certificate.' }),
  tokenAuthFile: path({ env: 'KJOBS_TOKEN_AUTH_FILE', defaultText: '$KJOBS_HOME/tokens.csv', help: 'Static tokens (token,user,uid,"groups"); made with an admin token when missing.' }),
  kubeconfig: path({ env: 'KJOBS_KUBECONFIG', help: 'Write an admin kubeconfig there.' }),
  advertiseUrl: url({ env: 'KJOBS_ADVERTISE_URL', protocols: ['https:', 'http:'], defaultText: 'the URL it listens on', help: 'The server URL written into the kubeconfig.' }),
  allowAnonymous: bool({ env: 'KJOBS_ALLOW_ANONYMOUS', default: false, help: 'Serve requests without a token as system:anonymous.' }),
  redisUrl: c.redisUrl, redisPassword: c.redisPassword, redisSentinels: c.redisSentinels, redisMasterName: c.redisMasterName,
  redisWaitReplicas: c.redisWaitReplicas, redisWaitTimeout: c.redisWaitTimeout,
  storePrefix: text({ env: 'KJOBS_STORE_PREFIX', default: 'kjobs', help: 'Prefix of the store\'s Redis keys; clusters sharing one Redis need different ones.' }),
  clusterId: text({ env: 'KJOBS_CLUSTER_ID', defaultText: '$KJOBS_HOME/cluster-id, made once', help: 'This cluster\'s id: the store is claimed for it, and another cluster\'s store is refused.' }),
  natsAdvertiseUrl: url({ env: 'KJOBS_NATS_ADVERTISE_URL', protocols: ['nats:', 'tls:', 'ws:', 'wss:'], defaultText: 'the first NATS_URL', help: 'The NATS URL other hosts join through, written into kube-public/cluster-info (kjobs token create --print-join-command prints it).' }),
  natsUrl: c.natsUrl, natsUser: c.natsUser, natsPassword: c.natsPassword, subjectPrefix: c.subjectPrefix,
  eventTtl: duration({ env: 'KJOBS_EVENT_TTL_SECONDS', unit: 's', default: 3600, help: 'How long Events are kept.' }),
  watchRetention: duration({ env: 'KJOBS_WATCH_RETENTION_SECONDS', unit: 's', default: 300, help: 'How long changes stay in the watch log (a watch from an older revision gets 410 Gone).' }),
  listReadAhead: bool({ env: 'KJOBS_LIST_READAHEAD', default: true, help: 'Read a paged list\'s next page while the client reads this one (at most 16 pages and 32 MiB held, each for 5 s; answered only when the kind had no write since; after a page went stale, that kind is not read ahead for 1 s).' }),
  relayLease: bool({ env: 'KJOBS_RELAY_LEASE', default: true, help: 'With several api-servers, only the holder of a lease in Redis publishes watch events to NATS (false: every one does, and subscribers drop the copies).' }),
  memqUrl: c.memqUrl,
  logLevel: c.logLevel,
});
