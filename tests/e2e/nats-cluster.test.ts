/**
 * kjobs on a NATS cluster (issue "Beyond one machine", item 1): three nats-servers joined by
 * routes (chaos/infra.ts startNatsCluster), every service given all three URLs in NATS_URL. Each
 * server in turn is SIGKILLed while a Job runs; with one down the cluster must keep working (the
 * clients reconnect to another member, requests in flight fail and are retried, watches catch up
 * their gaps), and the Job must end with exactly its completions: no pod lost, none counted
 * twice, none created twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Node, Pod } from '@kjobs/api';
import { startNatsCluster, type OwnedNatsCluster } from '../../chaos/infra.js';
import { sleepJob, startE2E, waitFor, type E2E } from './harness.js';

let natsHome: string;
let nats: OwnedNatsCluster;
let e: E2E;

const readyNodes = async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;

beforeAll(async () => {
  natsHome = mkdtempSync(path.join(os.tmpdir(), 'kjobs-nats-cluster-'));
  nats = await startNatsCluster(natsHome, 3);
  e = await startE2E({ natsUrl: nats.url, without: ['memq'] });
  await waitFor('two Ready nodes', async () => (await readyNodes()) === 2, 90_000);
}, 150_000);
afterAll(async () => {
  await e?.stop();
  await nats?.stop();
  if (natsHome) rmSync(natsHome, { recursive: true, force: true });
});

const COMPLETIONS = 24;
const succeeded = async () => (await e.api.get<Job>('Job', 'default', 'nats-ha')).status?.succeeded ?? 0;

describe('a NATS cluster of three', { timeout: 600_000 }, () => {
  it('every service keeps working while each NATS server in turn is SIGKILLed: the Job ends with exactly its completions', async () => {
    await e.api.create('Job', sleepJob('nats-ha', { completions: COMPLETIONS, parallelism: 3, sleep: 0.5 }));
    await waitFor('2 succeeded', async () => (await succeeded()) >= 2, 120_000, 100);
    // The api-server, scheduler, job-controller and both agents each hold a NATS connection; the
    // kills below must cut every one of them at least once.
    let cut = 0;
    for (const [i, server] of nats.servers.entries()) {
      cut += await nats.clients(i);
      const before = await succeeded();
      await server.kill('SIGKILL');
      const killedAt = Date.now();
      // Two servers left: pods are still created, scheduled, run and counted.
      await waitFor(`the Job counts on with nats-${i + 1} down`, async () => (await succeeded()) >= Math.min(COMPLETIONS, before + 2), 180_000, 100);
      console.log(`nats-${i + 1} SIGKILLed at succeeded ${before}: the Job counted on after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
      await server.start();
      await nats.routed();
    }
    expect(cut).toBeGreaterThanOrEqual(5);
    const done = await waitFor('Complete', async () => {
      const j = await e.api.get<Job>('Job', 'default', 'nats-ha');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 240_000);
    expect(done.status?.succeeded).toBe(COMPLETIONS);
    expect(done.status?.failed ?? 0).toBe(0);
    const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=nats-ha' })).items;
    expect(pods).toHaveLength(COMPLETIONS);
    expect(pods.every((p) => p.status?.phase === 'Succeeded')).toBe(true);
    // Both agents still heartbeat through the cluster.
    await waitFor('two Ready nodes after the faults', async () => (await readyNodes()) === 2, 90_000);
  });
});
