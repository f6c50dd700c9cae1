/**
 * scheduler entry point. Environment: NATS_URL, NATS_USER, NATS_PASSWORD[_FILE], KJOBS_TOKEN[_FILE]
 * (its API identity), KJOBS_SUBJECT_PREFIX (kjobs), KJOBS_SCHEDULER_WORKERS (16), LOG_LEVEL (info).
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { connectBus } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';
import { Scheduler } from './scheduler.js';

const env = process.env;
const log = pino({ name: 'scheduler', level: env.LOG_LEVEL ?? 'info' });
const secret = (n: string) => (env[`${n}_FILE`] ? readFileSync(env[`${n}_FILE`]!, 'utf8').trim() : env[n] || undefined);

const nc = await connectBus({ url: env.NATS_URL, name: 'scheduler', user: env.NATS_USER, pass: secret('NATS_PASSWORD') });
const client = new NatsClient({ nc, prefix: env.KJOBS_SUBJECT_PREFIX, token: secret('KJOBS_TOKEN') });
const scheduler = new Scheduler({ client, log, workers: Number(env.KJOBS_SCHEDULER_WORKERS ?? 16) });
await scheduler.start();
log.info('scheduler running');

const stop = async () => {
  scheduler.stop();
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
