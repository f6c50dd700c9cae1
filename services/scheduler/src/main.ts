/**
 * scheduler entry point: reads its settings (settings.ts; `--help` lists them), serves /healthz,
 * /readyz and /metrics, and schedules while it leads the kube-system/kube-scheduler Lease.
 */
import { connectBus } from '@kjobs/bus';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LeaderElector, NatsClient } from '@kjobs/client';
import { configure, createLogger, createServiceRegistry, createWorkQueueMetrics, natsConnected, registerLeaderStatus, startObserveServer, writeAddressFile } from '@kjobs/observe';
import { Scheduler } from './scheduler.js';
import { schedulerSettings } from './settings.js';

const cfg = configure(schedulerSettings);
const log = createLogger('scheduler', { level: cfg.logLevel });

// The observability port comes first: while NATS is not reachable /readyz says so.
const registry = createServiceRegistry();
let isNatsConnected = () => false;
let elector: LeaderElector | undefined;
let scheduler: Scheduler | undefined;
const observe = await startObserveServer(cfg.httpAddr, {
  registry,
  readiness: [
    { name: 'nats', check: () => isNatsConnected() },
    // Leading or standing by are both ready; only a process that has not joined the election is not.
    { name: 'leader-election', check: () => elector !== undefined },
    { name: 'informers-synced', check: () => !elector?.isLeader() || !!scheduler?.hasSynced() },
  ],
});
log.info({ url: observe.url }, 'serving /healthz, /readyz and /metrics');
if (cfg.addrFile) writeAddressFile(cfg.addrFile, observe.url);

const nc = await connectBus({ url: cfg.natsUrl, name: 'scheduler', user: cfg.natsUser, pass: cfg.natsPassword });
const client = new NatsClient({ nc, prefix: cfg.subjectPrefix, token: cfg.token });
isNatsConnected = natsConnected(nc);
scheduler = new Scheduler({ client, log, queueMetrics: createWorkQueueMetrics(registry), workers: cfg.workers, unschedulableRetryMs: cfg.retryMs });
// Only the leader schedules; a standby takes over when the leader's Lease expires.
elector = new LeaderElector({
  client, name: 'kube-scheduler', identity: cfg.leaderIdentity ?? `${hostname()}_${randomBytes(4).toString('hex')}`,
  onStartedLeading: () => {
    log.info('became leader; scheduling');
    void scheduler!.start();
  },
  onStoppedLeading: () => {
    log.error('lost leadership; exiting so a fresh process can stand by');
    process.exit(1);
  },
});
registerLeaderStatus(registry, 'kube-scheduler', () => elector!.isLeader());
elector.start();

const stop = async () => {
  scheduler?.stop();
  await elector?.stop();
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
