/**
 * job-controller entry point (kube-controller-manager's batch part): Job, CronJob, ReplicaSet,
 * TTL-after-finished, garbage-collector and node-lifecycle controllers over shared informers.
 * Runs as leader of the kube-system/kube-controller-manager Lease, so two replicas can run.
 *
 * Environment: NATS_URL, NATS_USER, NATS_PASSWORD[_FILE], KJOBS_TOKEN[_FILE], KJOBS_SUBJECT_PREFIX
 * (kjobs), KJOBS_NODE_GRACE_SECONDS (50: no heartbeat this long → node NotReady),
 * KJOBS_POD_EVICTION_SECONDS (10: then the node's pods fail), KJOBS_CRON_TIME_ZONE (UTC: zone of
 * CronJobs without spec.timeZone), LOG_LEVEL (info), KJOBS_LEADER_IDENTITY (host_random: a stable
 * identity lets a restarted replica take its Lease back at once instead of waiting for it to expire),
 * KJOBS_CLUSTER_CIDR or `--cluster-cidr=` (10.244.0.0/16: node pod CIDRs come from it; `off`: no
 * node IPAM), KJOBS_NODE_CIDR_MASK_SIZE (24: each node's pod CIDR), KJOBS_HTTP_ADDR
 * (127.0.0.1:0: /healthz, /readyz and /metrics; port 0 = a free one, logged and written to
 * KJOBS_ADDR_FILE when set). Queue-aware completion (Jobs annotated kjobs.io/memq-queue):
 * KJOBS_MEMQ_URL (unset: kjobs' memq service, for Jobs without kjobs.io/memq-server),
 * KJOBS_MEMQ_POLL_MS (2000: how often a queue not yet drained is looked at).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Subjects, connectBus } from '@kjobs/bus';
import { LeaderElector, NatsClient } from '@kjobs/client';
import { createLogger, createServiceRegistry, createWorkQueueMetrics, natsConnected, parseListenAddress, registerLeaderStatus, startObserveServer, writeAddressFile } from '@kjobs/observe';
import { startControllers } from './manager.js';
import { podDialer } from './memq/pod-dial.js';

const env = process.env;
const log = createLogger('job-controller', { level: env.LOG_LEVEL });
const secret = (n: string) => (env[`${n}_FILE`] ? readFileSync(env[`${n}_FILE`]!, 'utf8').trim() : env[n] || undefined);

const clusterCIDR = process.argv.find((a) => a.startsWith('--cluster-cidr='))?.slice('--cluster-cidr='.length) ?? env.KJOBS_CLUSTER_CIDR ?? '10.244.0.0/16';

// The observability port comes first: while NATS is not reachable /readyz says so.
const registry = createServiceRegistry();
const queueMetrics = createWorkQueueMetrics(registry);
let isNatsConnected = () => false;
let elector: LeaderElector | undefined;
let stopControllers: (() => void) | undefined;
const observe = await startObserveServer(parseListenAddress(env.KJOBS_HTTP_ADDR || '127.0.0.1:0', 'KJOBS_HTTP_ADDR'), {
  registry,
  readiness: [
    { name: 'nats', check: () => isNatsConnected() },
    // Leading or standing by are both ready; only a process that has not joined the election is not.
    { name: 'leader-election', check: () => elector !== undefined },
    // The leader's controllers start once every shared informer has listed (startControllers).
    { name: 'informers-synced', check: () => !elector?.isLeader() || stopControllers !== undefined },
  ],
});
log.info({ url: observe.url }, 'serving /healthz, /readyz and /metrics');
if (env.KJOBS_ADDR_FILE) writeAddressFile(env.KJOBS_ADDR_FILE, observe.url);

const nc = await connectBus({ url: env.NATS_URL, name: 'job-controller', user: env.NATS_USER, pass: secret('NATS_PASSWORD') });
const client = new NatsClient({ nc, prefix: env.KJOBS_SUBJECT_PREFIX, token: secret('KJOBS_TOKEN') });
isNatsConnected = natsConnected(nc);
elector = new LeaderElector({
  client, name: 'kube-controller-manager', identity: env.KJOBS_LEADER_IDENTITY || `${hostname()}_${randomBytes(4).toString('hex')}`,
  onStartedLeading: () => {
    log.info('became leader; starting controllers');
    void startControllers({
      client, log, queueMetrics,
      nodeGraceMs: Number(env.KJOBS_NODE_GRACE_SECONDS ?? 50) * 1000,
      podEvictionMs: Number(env.KJOBS_POD_EVICTION_SECONDS ?? 10) * 1000,
      cronTimeZone: env.KJOBS_CRON_TIME_ZONE ?? 'UTC',
      clusterCIDR: clusterCIDR === 'off' ? false : clusterCIDR,
      nodeCIDRMaskSize: Number(env.KJOBS_NODE_CIDR_MASK_SIZE ?? 24),
      memq: {
        dialPod: podDialer(nc, new Subjects(env.KJOBS_SUBJECT_PREFIX || undefined)),
        ...(env.KJOBS_MEMQ_URL ? { defaultServer: `${env.KJOBS_MEMQ_URL.replace(/\/+$/, '')}/memq/server` } : {}),
        pollMs: Number(env.KJOBS_MEMQ_POLL_MS ?? 2000),
      },
    }).then((stop) => (stopControllers = stop)).catch((e) => {
      log.error({ err: e }, 'controllers failed to start');
      process.exit(1);
    });
  },
  onStoppedLeading: () => {
    log.error('lost leadership; exiting so a fresh process can stand by');
    process.exit(1);
  },
});
registerLeaderStatus(registry, 'kube-controller-manager', () => elector!.isLeader());
elector.start();

const stop = async () => {
  stopControllers?.();
  await elector?.stop();
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
