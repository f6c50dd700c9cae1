/**
 * The chaos suite's faults, in the order the issue lists them: SIGKILL each service once
 * (api-server, the scheduler leader, the job-controller leader, a kubelet-agent, memq), then a
 * NATS restart, then a Redis restart (AOF, fsync always). Each fault returns the instant the
 * killed thing was started again and the probes that say its services are back; for NATS and
 * Redis every service depends on them, so every service is probed.
 */
import type { ChaosCluster } from './chaos-cluster.js';
import { apiProbe, leaderProbe, memqProbe, nodeProbe, type Probe } from './probes.js';

/**
 * One fault: inject it, then say since when and how to tell the services are back. `settle`, when
 * given, is what must finish before the next fault (a killed member brought back); `limitMs`
 * overrides the suite's "back within" limit for this fault; `note`, read once `settle` is done, is
 * what the fault measured besides the probes (printed with its row).
 */
export interface Fault {
  name: string;
  limitMs?: number;
  inject(c: ChaosCluster): Promise<{ since: number; probes: Probe[]; settle?: Promise<unknown>; note?: () => string }>;
}

export const LEASES = { scheduler: 'kube-scheduler', 'job-controller': 'kube-controller-manager' } as const;

export function killLeader(service: keyof typeof LEASES): Fault {
  return {
    name: `SIGKILL ${service} leader`,
    async inject(c) {
      const leader = await c.leaderOf(LEASES[service]);
      const since = await c.killAndRespawn(leader.service);
      // The respawned replica has the same identity: it takes its own Lease back at once rather
      // than leaving the standby to wait out the Lease duration (see docs/reliability.md).
      return { since, probes: [leaderProbe(c.probeApi, `${leader.service} (leader)`, LEASES[service], leader.identity, since)] };
    },
  };
}

/** Probes for every service, satisfied only by evidence from after `since` (less the nodes in `without`). */
export function everyService(c: ChaosCluster, since: number, without: string[] = []): Probe[] {
  return [
    apiProbe(c.probeApi),
    memqProbe(c.memqPort),
    leaderProbe(c.probeApi, 'scheduler (leader)', LEASES.scheduler, undefined, since),
    leaderProbe(c.probeApi, 'job-controller (leader)', LEASES['job-controller'], undefined, since),
    ...['node-1', 'node-2'].filter((n) => !without.includes(n)).map((n) => nodeProbe(c.probeApi, n, since)),
  ];
}

/** The seven faults. */
export function chaosFaults(): Fault[] {
  return [
    {
      name: 'SIGKILL api-server',
      async inject(c) {
        const since = await c.killAndRespawn('api-server');
        return { since, probes: [apiProbe(c.probeApi)] };
      },
    },
    killLeader('scheduler'),
    killLeader('job-controller'),
    {
      name: 'SIGKILL kubelet-agent node-1',
      async inject(c) {
        const since = await c.killAndRespawn('kubelet-agent-node-1');
        return { since, probes: [nodeProbe(c.probeApi, 'node-1', since)] };
      },
    },
    {
      name: 'SIGKILL memq',
      async inject(c) {
        const since = await c.killAndRespawn('memq');
        return { since, probes: [memqProbe(c.memqPort)] };
      },
    },
    {
      name: 'restart NATS (SIGKILL)',
      async inject(c) {
        await c.nats.kill('SIGKILL');
        const since = await c.nats.start();
        return { since, probes: everyService(c, since) };
      },
    },
    {
      name: 'restart Redis (SIGKILL; AOF fsync always)',
      async inject(c) {
        await c.redis.kill('SIGKILL');
        const since = await c.redis.start();
        return { since, probes: everyService(c, since) };
      },
    },
  ];
}
