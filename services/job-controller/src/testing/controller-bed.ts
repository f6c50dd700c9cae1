/**
 * Test support for controller syncs: a real api-server in this process on the memory store (the
 * api-server's own test harness), the controller manager's shared informers on it, and one fake
 * clock for both. Tests call a controller's real `sync` with its real control; nothing imitates
 * the API. The Job controller's scenario bed (job-test-cluster.ts) stands on the same api-server
 * and clock (startApiBed).
 */
import pino from 'pino';
import type { KObject } from '@kjobs/api';
import { startHarness, type Harness } from '@kjobs/api-server/testing';
import type { ApiClient, Informer } from '@kjobs/client';
import { createShared, startShared, type Shared } from '../shared.js';
import { waitFor } from './seed.js';

/** A clock tests move by hand. */
export interface FakeClock {
  now(): Date;
  set(t: string | Date): void;
  advance(ms: number): void;
}

/** A fake clock at `start`. */
export function fakeClock(start: string | Date): FakeClock {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (to) => void (t = new Date(to).getTime()), advance: (ms) => void (t += ms) };
}

/** An in-process api-server on the memory store that reads `clock` (one may serve many Job test clusters). */
export interface ApiBed {
  harness: Harness;
  clock: FakeClock;
}

/** Start an api-server on the memory store, its clock at `start`. */
export async function startApiBed(start: string | Date): Promise<ApiBed> {
  const clock = fakeClock(start);
  return { clock, harness: await startHarness({ store: 'memory', now: clock.now }) };
}

/** An in-process api-server with the shared informers on it. */
export interface ControllerBed {
  harness: Harness;
  /** The API client the informers and controls use (NATS, as the job-controller's). */
  client: ApiClient;
  shared: Shared;
  clock: FakeClock;
  /** Wait until every shared informer shows exactly what the API holds now (every write seen). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Start an api-server on the memory store and the shared informers, the clock at `start`. */
export async function startControllerBed(start = '2024-01-01T00:00:00Z'): Promise<ControllerBed> {
  const { clock, harness } = await startApiBed(start);
  const client = harness.nats;
  const shared = createShared(client, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), clock.now);
  await startShared(shared);
  const informers: [Informer<KObject>, string | undefined][] = [
    [shared.jobs, undefined], [shared.pods, undefined], [shared.cronjobs, undefined], [shared.replicasets, undefined], [shared.nodes, undefined], [shared.nodeLeases, 'kube-node-lease'],
  ] as unknown as [Informer<KObject>, string | undefined][];
  return {
    harness, client, shared, clock,
    async settle() {
      for (const [inf, namespace] of informers) {
        const want = (await client.list(inf.kind, namespace ? { namespace } : {})).items;
        const matches = () => inf.list().length === want.length
          && want.every((o) => inf.getByName(o.metadata.namespace ?? '', o.metadata.name!)?.metadata.resourceVersion === o.metadata.resourceVersion);
        await waitFor(async () => matches(), `the ${inf.kind} informer to catch up`);
      }
    },
    async stop() {
      for (const [inf] of informers) inf.stop();
      await harness.stop();
    },
  };
}
