/**
 * The chaos suite's faults on the highly available layout (`npm run chaos -- --ha`, issue 21):
 * SIGKILL the Redis primary (the Sentinels promote the replica; the killed one comes back as its
 * replica), one NATS server (the services move to the other two; it is started again), one
 * api-server (HAProxy sends everything to the other; it is started again), the scheduler and
 * job-controller leaders, and a whole host: node-2's kubelet-agent and every process of its pods,
 * kept down until the node controller has marked the Node NotReady and failed its pods (which the
 * Job replaces on node-1), then started again.
 */
import path from 'node:path';
import type { Pod } from '@kjobs/api';
import { sweepLaunchers } from '../scripts/cluster.js';
import type { ChaosCluster } from './chaos-cluster.js';
import { everyService, killLeader, type Fault } from './faults.js';
import { nodeProbe, timeToBack, type Probe } from './probes.js';
import { processesWithEnv } from './procs.js';

/** The node grace and pod eviction wait the HA run gives the node controller (chaos.ts passes them as settings). */
export const HOST_GRACE_S = 10;
export const HOST_EVICTION_S = 2;

/** Every pod that ran on `node` when it was lost is terminal: the node controller failed them, so the Job can replace them. */
function podsReplacedProbe(c: ChaosCluster, node: string, names: string[]): Probe {
  return {
    service: `${node}'s pods failed by the node controller`,
    async check() {
      const pods = (await c.probeApi.list<Pod>('Pod', { fieldSelector: `spec.nodeName=${node}` })).items;
      return pods.filter((p) => names.includes(p.metadata.name!)).every((p) => ['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
    },
  };
}

export function haFaults(): Fault[] {
  return [
    {
      name: 'SIGKILL the Redis primary (Sentinel failover)',
      limitMs: 10_000,
      async inject(c) {
        let killed!: (t: number) => void;
        const killedAt = new Promise<number>((r) => (killed = r));
        const settle = c.ha!.redis.failover({ restart: true, onKilled: () => killed(Date.now()) });
        settle.catch(() => undefined);
        const since = await Promise.race([killedAt, settle.then((f) => f.killedAt)]);
        return { since, probes: everyService(c, since), settle };
      },
    },
    {
      name: 'SIGKILL one NATS server (the one with the most clients)',
      async inject(c) {
        const nats = c.ha!.nats;
        const counts = await Promise.all(nats.servers.map((_, i) => nats.clients(i).catch(() => -1)));
        const victim = nats.servers[counts.indexOf(Math.max(...counts))]!;
        await victim.kill('SIGKILL');
        const since = Date.now();
        return { since, probes: everyService(c, since), settle: victim.start().then(() => nats.routed()) };
      },
    },
    {
      name: 'SIGKILL one api-server',
      async inject(c) {
        const since = await c.killAndRespawn('api-server');
        return { since, probes: everyService(c, since) };
      },
    },
    killLeader('scheduler'),
    killLeader('job-controller'),
    {
      name: 'lose a host (SIGKILL node-2\'s kubelet-agent and every process of its pods)',
      // Noticing a lost host takes the node grace (KJOBS_NODE_GRACE_SECONDS; the run sets 10 s,
      // Kubernetes' node-monitor-grace-period is 40 s) plus the pod eviction wait (2 s here, 300 s
      // in Kubernetes' default tolerations): the limit is those and the suite's 5 s.
      limitMs: (HOST_GRACE_S + HOST_EVICTION_S) * 1000 + 5000,
      async inject(c) {
        const running = (await c.api.list<Pod>('Pod', { fieldSelector: 'spec.nodeName=node-2' })).items
          .filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '')).map((p) => p.metadata.name!);
        const nodeDir = path.join(c.home, 'nodes', 'node-2');
        const since = await c.kill('kubelet-agent-node-2');
        sweepLaunchers(nodeDir);
        for (const p of processesWithEnv({ HOME: nodeDir + path.sep })) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        // Back once the node controller failed the lost pods; then the host comes back.
        const probes = [...everyService(c, since, ['node-2']), podsReplacedProbe(c, 'node-2', running)];
        const settle = (async () => {
          await timeToBack(probes, since, 180_000);
          const back = Date.now();
          await c.respawn('kubelet-agent-node-2');
          await timeToBack([nodeProbe(c.probeApi, 'node-2', back)], back, 60_000);
        })();
        return { since, probes, settle };
      },
    },
  ];
}
