/**
 * scheduler entry point. Environment: NATS_URL, NATS_USER, NATS_PASSWORD[_FILE], KJOBS_TOKEN[_FILE]
 * (its API identity), KJOBS_SUBJECT_PREFIX (kjobs), KJOBS_SCHEDULER_WORKERS (16), KJOBS_SCHEDULER_RETRY_MS (10000: how often an unschedulable pod is retried when nothing changes), LOG_LEVEL (info), KJOBS_LEADER_IDENTITY (host_random: a stable
 * identity lets a restarted replica take its Lease back at once instead of waiting for it to expire). Runs as leader of the kube-system/kube-scheduler Lease.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { connectBus } from '@kjobs/bus';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LeaderElector, NatsClient } from '@kjobs/client';
import { Scheduler } from './scheduler.js';

const env = process.env;
const log = pino({ name: 'scheduler', level: env.LOG_LEVEL ?? 'info' });
const secret = (n: string) => (env[`${n}_FILE`] ? readFileSync(env[`${n}_FILE`]!, 'utf8').trim() : env[n] || undefined);

const nc = await connectBus({ url: env.NATS_URL, name: 'scheduler', user: env.NATS_USER, pass: secret('NATS_PASSWORD') });
const client = new NatsClient({ nc, prefix: env.KJOBS_SUBJECT_PREFIX, token: secret('KJOBS_TOKEN') });
const scheduler = new Scheduler({ client, log, workers: Number(env.KJOBS_SCHEDULER_WORKERS ?? 16), unschedulableRetryMs: Number(env.KJOBS_SCHEDULER_RETRY_MS ?? 10_000) });
// Only the leader schedules; a standby takes over when the leader's Lease expires.
const elector = new LeaderElector({
  client, name: 'kube-scheduler', identity: env.KJOBS_LEADER_IDENTITY || `${hostname()}_${randomBytes(4).toString('hex')}`,
  onStartedLeading: () => {
    log.info('became leader; scheduling');
    void scheduler.start();
  },
  onStoppedLeading: () => {
    log.error('lost leadership; exiting so a fresh process can stand by');
    process.exit(1);
  },
});
elector.start();

const stop = async () => {
  scheduler.stop();
  await elector.stop();
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
