/**
 * scheduler entry point. Environment: NATS_URL, NATS_USER, NATS_PASSWORD[_FILE], KJOBS_TOKEN[_FILE]
 * (its API identity), KJOBS_SUBJECT_PREFIX (kjobs), KJOBS_SCHEDULER_WORKERS (16), KJOBS_SCHEDULER_RETRY_MS (10000: how often an unschedulable pod is retried when nothing changes), LOG_LEVEL (info), KJOBS_LEADER_IDENTITY (host_random: a stable
 * identity lets a restarted replica take its Lease back at once instead of waiting for it to expire),
 * KJOBS_HTTP_ADDR (127.0.0.1:0: /healthz, /readyz and /metrics; port 0 = a free one, logged and
 * written to KJOBS_ADDR_FILE when set). Runs as leader of the kube-system/kube-scheduler Lease.
 */
import { readFileSync } from 'node:fs';
import { connectBus } from '@kjobs/bus';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LeaderElector, NatsClient } from '@kjobs/client';
import { createLogger, createServiceRegistry, createWorkQueueMetrics, natsConnected, parseListenAddress, registerLeaderStatus, startObserveServer, writeAddressFile } from '@kjobs/observe';
import { Scheduler } from './scheduler.js';

const env = process.env;
const log = createLogger('scheduler', { level: env.LOG_LEVEL });
const secret = (n: string) => (env[`${n}_FILE`] ? readFileSync(env[`${n}_FILE`]!, 'utf8').trim() : env[n] || undefined);

// The observability port comes first: while NATS is not reachable /readyz says so.
const registry = createServiceRegistry();
let isNatsConnected = () => false;
let elector: LeaderElector | undefined;
let scheduler: Scheduler | undefined;
const observe = await startObserveServer(parseListenAddress(env.KJOBS_HTTP_ADDR || '127.0.0.1:0', 'KJOBS_HTTP_ADDR'), {
  registry,
  readiness: [
    { name: 'nats', check: () => isNatsConnected() },
    // Leading or standing by are both ready; only a process that has not joined the election is not.
    { name: 'leader-election', check: () => elector !== undefined },
    { name: 'informers-synced', check: () => !elector?.isLeader() || !!scheduler?.hasSynced() },
  ],
});
log.info({ url: observe.url }, 'serving /healthz, /readyz and /metrics');
if (env.KJOBS_ADDR_FILE) writeAddressFile(env.KJOBS_ADDR_FILE, observe.url);

const nc = await connectBus({ url: env.NATS_URL, name: 'scheduler', user: env.NATS_USER, pass: secret('NATS_PASSWORD') });
const client = new NatsClient({ nc, prefix: env.KJOBS_SUBJECT_PREFIX, token: secret('KJOBS_TOKEN') });
isNatsConnected = natsConnected(nc);
scheduler = new Scheduler({ client, log, queueMetrics: createWorkQueueMetrics(registry), workers: Number(env.KJOBS_SCHEDULER_WORKERS ?? 16), unschedulableRetryMs: Number(env.KJOBS_SCHEDULER_RETRY_MS ?? 10_000) });
// Only the leader schedules; a standby takes over when the leader's Lease expires.
elector = new LeaderElector({
  client, name: 'kube-scheduler', identity: env.KJOBS_LEADER_IDENTITY || `${hostname()}_${randomBytes(4).toString('hex')}`,
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
