/**
 * job-controller entry point (kube-controller-manager's batch part): Job, CronJob, ReplicaSet,
 * TTL-after-finished, garbage-collector and node-lifecycle controllers over shared informers.
 * Runs as leader of the kube-system/kube-controller-manager Lease, so two replicas can run.
 * Settings: settings.ts (`--help` lists them).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Subjects, connectBus } from '@kjobs/bus';
import { LeaderElector, NatsClient } from '@kjobs/client';
import { configure, createLogger, createServiceRegistry, createWorkQueueMetrics, natsConnected, registerLeaderStatus, startObserveServer, writeAddressFile } from '@kjobs/observe';
import { startControllers } from './manager.js';
import { podDialer } from './memq/pod-dial.js';
import { jobControllerSettings } from './settings.js';

const cfg = configure(jobControllerSettings);
const log = createLogger('job-controller', { level: cfg.logLevel });

// The observability port comes first: while NATS is not reachable /readyz says so.
const registry = createServiceRegistry();
const queueMetrics = createWorkQueueMetrics(registry);
let isNatsConnected = () => false;
let elector: LeaderElector | undefined;
let stopControllers: (() => void) | undefined;
const observe = await startObserveServer(cfg.httpAddr, {
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
if (cfg.addrFile) writeAddressFile(cfg.addrFile, observe.url);

const nc = await connectBus({ url: cfg.natsUrl, name: 'job-controller', user: cfg.natsUser, pass: cfg.natsPassword });
const client = new NatsClient({ nc, prefix: cfg.subjectPrefix, token: cfg.token });
isNatsConnected = natsConnected(nc);
elector = new LeaderElector({
  client, name: 'kube-controller-manager', identity: cfg.leaderIdentity ?? `${hostname()}_${randomBytes(4).toString('hex')}`,
  onStartedLeading: () => {
    log.info('became leader; starting controllers');
    void startControllers({
      client, log, queueMetrics,
      nodeGraceMs: cfg.nodeGrace,
      podEvictionMs: cfg.podEviction,
      cronTimeZone: cfg.cronTimeZone,
      clusterCIDR: cfg.clusterCIDR,
      nodeCIDRMaskSize: cfg.nodeCIDRMaskSize,
      memq: {
        dialPod: podDialer(nc, new Subjects(cfg.subjectPrefix)),
        ...(cfg.memqUrl ? { defaultServer: `${cfg.memqUrl.replace(/\/+$/, '')}/memq/server` } : {}),
        pollMs: cfg.memqPoll,
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
