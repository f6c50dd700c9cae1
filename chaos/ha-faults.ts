/**
 * The chaos suite's faults on the highly available layout (`npm run chaos -- --ha`, issue 21):
 * SIGKILL the Redis primary (the Sentinels promote the replica; the killed one comes back as its
 * replica), one NATS server (the services move to the other two; it is started again), one
 * api-server (HAProxy sends everything to the other; it is started again), the scheduler and
 * job-controller leaders; then the two simulated hosts the nodes run on (chaos/chaos-hosts.ts):
 * node-2's host is lost — every process of it and of its pods SIGKILLed, kept down until the node
 * controller has marked the Node NotReady and failed its pods (which the Job replaces on node-1),
 * then rebooted (fresh namespaces, its agent started again) — and node-1's host is partitioned
 * from the LAN for 60 s (short: 15 s), then healed.
 */
import type { Node, Pod } from '@kjobs/api';
import type { ChaosCluster } from './chaos-cluster.js';
import { everyService, killLeader, type Fault } from './faults.js';
import { nodeProbe, timeToBack, type Probe } from './probes.js';

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

const terminal = (p: Pod) => ['Succeeded', 'Failed'].includes(p.status?.phase ?? '');
const podsOn = async (c: ChaosCluster, node: string) => (await c.api.list<Pod>('Pod', { fieldSelector: `spec.nodeName=${node}` })).items;
const readyOf = async (c: ChaosCluster, node: string) => (await c.probeApi.get<Node>('Node', '', node)).status?.conditions?.find((x) => x.type === 'Ready')?.status;
const s = (ms: number) => (ms / 1000).toFixed(1);

/** The HA run's faults; `partitionS` is how long the partitioned host stays cut off. */
export function haFaults(o: { partitionS: number }): Fault[] {
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
      name: 'lose a host (SIGKILL every process of node-2\'s simulated host and its pods)',
      // Noticing a lost host takes the node grace (KJOBS_NODE_GRACE_SECONDS; the run sets 10 s,
      // Kubernetes' node-monitor-grace-period is 40 s) plus the pod eviction wait (2 s here, 300 s
      // in Kubernetes' default tolerations): the limit is those and the suite's 5 s.
      limitMs: (HOST_GRACE_S + HOST_EVICTION_S) * 1000 + 5000,
      async inject(c) {
        const running = (await podsOn(c, 'node-2')).filter((p) => !terminal(p)).map((p) => p.metadata.name!);
        const killed = await c.hosts!.lose('node-2');
        const since = Date.now();
        // Back once the node controller failed the lost pods; then the host is powered on again.
        const probes = [...everyService(c, since, ['node-2']), podsReplacedProbe(c, 'node-2', running)];
        let note = `${killed} processes killed, ${running.length} pods lost`;
        const settle = (async () => {
          await timeToBack(probes, since, 180_000);
          const back = Date.now();
          await c.hosts!.reboot('node-2');
          const ready = await timeToBack([nodeProbe(c.probeApi, 'node-2', back)], back, 60_000);
          note += `; rebooted, node-2 Ready ${s([...ready.values()][0]!)} s after its agent started`;
        })();
        return { since, probes, settle, note: () => note };
      },
    },
    {
      name: `partition a host (node-1's simulated host off the LAN for ${o.partitionS} s)`,
      // From the heal: the agent's connections through the cut link are stale (the NATS client
      // notices by its pings, 10 s apart) and it connects again, heartbeats, and the Node is Ready.
      async inject(c) {
        const before = await podsOn(c, 'node-1');
        const otherBefore = new Set((await podsOn(c, 'node-2')).map((p) => p.metadata.name!));
        const wasTerminal = new Set(before.filter(terminal).map((p) => p.metadata.name!));
        const cut = Date.now();
        await c.hosts!.partition('node-1', true);
        let notReadyMs = Infinity;
        let healed = false;
        try {
          const end = cut + o.partitionS * 1000;
          while (Date.now() < end) {
            if (notReadyMs === Infinity && (await readyOf(c, 'node-1').catch(() => 'True')) !== 'True') notReadyMs = Date.now() - cut;
            await new Promise((r) => setTimeout(r, 100));
          }
          const during = await podsOn(c, 'node-1');
          const failed = during.filter((p) => !wasTerminal.has(p.metadata.name!) && p.status?.phase === 'Failed').length;
          const onOther = (await podsOn(c, 'node-2')).filter((p) => !otherBefore.has(p.metadata.name!)).length;
          await c.hosts!.partition('node-1', false);
          healed = true;
          const since = Date.now();
          const note = () => `node-1 NotReady ${Number.isFinite(notReadyMs) ? `${s(notReadyMs)} s after the cut` : 'never'}; ${failed} of its pods failed by the node controller (${before.length - wasTerminal.size} were running at the cut); ${onOther} new pods on node-2 meanwhile`;
          return { since, probes: everyService(c, since), note };
        } finally {
          if (!healed) await c.hosts!.partition('node-1', false);
        }
      },
    },
  ];
}
