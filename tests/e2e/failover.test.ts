/**
 * Leader failover with every service as a process: two job-controllers and two schedulers (the
 * second replica of each spawned with its own KJOBS_LEADER_IDENTITY, as compose runs them). The
 * leader is SIGKILLed and not restarted, so only the standby can take over: it must acquire the
 * Lease once the dead leader's expires and then make the work progress (a Job counts further
 * pods; a new pod gets bound). The failover times are printed, not asserted: they are the Lease
 * duration (15 s) plus up to one retry period (2 s) by design, and a busy machine stretches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { Job, Lease, Node, Pod } from '@kjobs/api';
import { sleepJob, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
/** identity → process, for both replicas of each elected service. */
const replicas = new Map<string, { service: string; proc: ChildProcess }>();

beforeAll(async () => {
  e = await startE2E({ without: ['memq'], controllerReplicas: 2 });
  for (const spec of e.cluster.specs) {
    const service = spec.name.replace(/-2$/, '');
    if (service === 'job-controller' || service === 'scheduler') replicas.set(spec.env.KJOBS_LEADER_IDENTITY!, { service, proc: e.cluster.procs.get(spec.name)! });
  }
  expect(replicas.size).toBe(4);
  await waitFor('two Ready nodes', async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, 90_000);
}, 150_000);
afterAll(async () => {
  await e?.stop();
});

const lease = (name: string) => e.api.get<Lease>('Lease', 'kube-system', name);
const getJob = (name: string) => e.api.get<Job>('Job', 'default', name);

/** The current holder of a leader Lease and its process; waits until one of our replicas holds it. */
async function leaderOf(leaseName: string, service: string): Promise<{ identity: string; proc: ChildProcess; lease: Lease }> {
  return waitFor(`${leaseName} held by a ${service} replica`, async () => {
    const l = await lease(leaseName);
    const r = replicas.get(l.spec.holderIdentity ?? '');
    return r && r.service === service ? { identity: l.spec.holderIdentity!, proc: r.proc, lease: l } : undefined;
  }, 60_000);
}

async function sigkill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGKILL');
  await exited;
}

function job(name: string, completions: number): Job {
  return sleepJob(name, { completions, parallelism: 2, sleep: 1, backoffLimit: 100 });
}

describe('leader failover', { timeout: 240_000 }, () => {
  it('job-controller: the standby takes the Lease after the leader is SIGKILLed and the Job keeps counting to exactly its completions', async () => {
    await e.api.create('Job', job('failover', 12));
    await waitFor('3 succeeded', async () => ((await getJob('failover')).status?.succeeded ?? 0) >= 3, 90_000, 100);
    const leader = await leaderOf('kube-controller-manager', 'job-controller');
    const standby = [...replicas].find(([id, r]) => r.service === 'job-controller' && id !== leader.identity)![0];

    await sigkill(leader.proc);
    const killedAt = Date.now();
    const countAtKill = (await getJob('failover')).status?.succeeded ?? 0;
    const taken = await waitFor('standby holds kube-controller-manager', async () => {
      const l = await lease('kube-controller-manager');
      return l.spec.holderIdentity === standby ? l : undefined;
    }, 90_000, 100);
    const leaseMs = Date.now() - killedAt;
    // Pods keep finishing on the nodes without a controller; only a live leader counts them.
    await waitFor('the Job counts again', async () => ((await getJob('failover')).status?.succeeded ?? 0) > countAtKill, 90_000, 100);
    const progressMs = Date.now() - killedAt;
    console.log(`failover job-controller: standby holds the Lease ${(leaseMs / 1000).toFixed(1)} s after SIGKILL, Job progresses after ${(progressMs / 1000).toFixed(1)} s (succeeded ${countAtKill} at kill)`);

    expect(taken.spec.leaseTransitions ?? 0).toBe((leader.lease.spec.leaseTransitions ?? 0) + 1);
    const done = await waitFor('Complete', async () => {
      const j = await getJob('failover');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 120_000);
    expect(done.status?.succeeded).toBe(12);
  });

  it('scheduler: the standby takes the Lease after the leader is SIGKILLed and binds a new pod', async () => {
    const leader = await leaderOf('kube-scheduler', 'scheduler');
    const standby = [...replicas].find(([id, r]) => r.service === 'scheduler' && id !== leader.identity)![0];

    await sigkill(leader.proc);
    const killedAt = Date.now();
    await e.api.create('Pod', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-failover', namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' },
    } as Pod);
    const taken = await waitFor('standby holds kube-scheduler', async () => {
      const l = await lease('kube-scheduler');
      return l.spec.holderIdentity === standby ? l : undefined;
    }, 90_000, 100);
    const leaseMs = Date.now() - killedAt;
    const bound = await waitFor('new pod bound', async () => {
      const p = await e.api.get<Pod>('Pod', 'default', 'after-failover');
      return p.spec.nodeName ? p : undefined;
    }, 90_000, 100);
    const progressMs = Date.now() - killedAt;
    console.log(`failover scheduler: standby holds the Lease ${(leaseMs / 1000).toFixed(1)} s after SIGKILL, a new pod is bound after ${(progressMs / 1000).toFixed(1)} s`);

    expect(taken.spec.leaseTransitions ?? 0).toBe((leader.lease.spec.leaseTransitions ?? 0) + 1);
    expect(bound.spec.nodeName).toMatch(/^node-[12]$/);
    await waitFor('Succeeded', async () => (await e.api.get<Pod>('Pod', 'default', 'after-failover')).status?.phase === 'Succeeded', 60_000);
  });
});
