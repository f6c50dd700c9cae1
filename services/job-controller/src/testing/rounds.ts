/**
 * Driving a JobTestCluster in rounds, as the scenario and crash tests do: one sync, then the
 * scripted kubelet starts what was created. Clusters made with `clusterEach` stop after each test.
 */
import { afterEach } from 'vitest';
import type { Job } from '@kjobs/api';
import { T0 } from '../job/test-fixtures.js';
import { ControllerCrashed, JobTestCluster } from './job-test-cluster.js';

/** A `cluster(job, options)` for a test file: each cluster starts at T0 and is stopped after its test. */
export function clusterEach(): (job: Job, o?: Parameters<typeof JobTestCluster.start>[2]) => Promise<JobTestCluster> {
  const clusters: JobTestCluster[] = [];
  afterEach(async () => {
    for (const c of clusters.splice(0)) await c.stop();
  });
  return async (job, o = {}) => {
    const c = await JobTestCluster.start(job, T0, o);
    clusters.push(c);
    return c;
  };
}

/** One controller round: sync (a crash is not an error), then let the kubelet start what was created. */
export async function round(c: JobTestCluster): Promise<void> {
  const { error } = await c.sync();
  if (error && !(error instanceof ControllerCrashed)) throw error;
  await c.startPending();
}

/** Rounds until the Job is finished (bounded), `each` between rounds; returns the rounds it took. */
export async function untilFinished(c: JobTestCluster, each: (c: JobTestCluster) => Promise<void> | void, maxRounds = 200): Promise<number> {
  for (let i = 0; i < maxRounds; i++) {
    await round(c);
    if (c.finished()) return i;
    await each(c);
  }
  throw new Error(`job not finished after ${maxRounds} rounds: ${JSON.stringify(c.job.status)}`);
}

/** The reasons of the events the controller recorded, in order. */
export const reasons = (c: JobTestCluster) => c.events.map((e) => e.reason);

/** The stored status with absent counters read as 0 (Kubernetes omits zero counters). */
export function counts(c: JobTestCluster) {
  const st = c.job.status ?? {};
  return { ...st, active: st.active ?? 0, ready: st.ready ?? 0, terminating: st.terminating ?? 0, succeeded: st.succeeded ?? 0, failed: st.failed ?? 0 };
}
