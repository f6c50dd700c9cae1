/**
 * A whole kjobs cluster for the chaos and soak suites, on the run's own Redis and NATS
 * (chaos/infra.ts): every service a process as `npm start` runs them, plus a second replica of
 * the scheduler and of the job-controller (as compose runs them), each replica with its own
 * leader identity. Services can be SIGKILLed and respawned by name; a service that exits on its
 * own is recorded (the suite fails on it) and respawned, as `npm start` and compose would.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Lease, Node } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { freePort } from '../scripts/infra.js';
import { readKubeconfig, spawnService, startCluster, type Cluster, type ClusterOptions } from '../scripts/cluster.js';
import { startHaCluster, type HaCluster } from '../scripts/ha.js';
import { startChaosHosts, type ChaosHosts } from './chaos-hosts.js';
import { startOwnedInfra, type OwnedServer } from './infra.js';

/** A running chaos cluster. */
export interface ChaosCluster {
  home: string;
  cluster: Cluster;
  /** The run's Redis and NATS (HA: the first primary and the first of the three NATS servers). */
  redis: OwnedServer;
  nats: OwnedServer;
  /** The highly available layout's parts (`ha: true`): the NATS cluster, Redis with its Sentinels. */
  ha?: HaCluster;
  /** HA: node-1 and node-2 as kubelet-agents on simulated hosts (chaos/chaos-hosts.ts), joined with a bootstrap token. */
  hosts?: ChaosHosts;
  /** Every pid of Redis, NATS (and Sentinels) the run ever started, for the orphan check. */
  infraPids(): number[];
  /** Admin client for the workloads (5 s request timeout). */
  api: HttpClient;
  /** Admin client for probes (2 s request timeout). */
  probeApi: HttpClient;
  memqPort: number;
  /** Services that exited without being killed by the suite: "name (signal or code)". */
  unexpectedExits: string[];
  /** Every service pid ever started (for the orphan check). */
  servicePids: number[];
  /** SIGKILL a service, wait for it to exit, start it again; resolves with the respawn time. */
  killAndRespawn(name: string): Promise<number>;
  /** SIGKILL a service and wait for it to exit (it stays down); resolves with the time it was gone. */
  kill(name: string): Promise<number>;
  /** Start a service killed by `kill` again. */
  respawn(name: string): Promise<void>;
  /** The service name (e.g. "scheduler-2") of the replica holding a kube-system leader Lease. */
  leaderOf(leaseName: string): Promise<{ service: string; identity: string }>;
  /** Wait until every node is Ready, both leader Leases are held and memq answers. */
  waitReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start infra and cluster under a fresh temp home: one Redis and one NATS of its own, or with `ha`
 * the highly available layout (scripts/ha.ts: three NATS servers, Redis primary + replica + three
 * Sentinels, two api-servers behind HAProxy).
 */
export async function startChaosCluster(o: { nodes?: number; env?: Record<string, string>; nodeEnv?: ClusterOptions['nodeEnv']; tag: string; appendfsync?: 'always' | 'everysec'; ha?: boolean }): Promise<ChaosCluster> {
  const home = mkdtempSync(path.join(os.tmpdir(), `kjobs-${o.tag}-`));
  const apiPort = await freePort();
  const memqPort = await freePort();
  const nodes = o.nodes ?? 2;
  const base = { home, apiPort, memqPort, nodes, env: o.env, nodeEnv: o.nodeEnv };
  let cluster: Cluster;
  let infra: { redis: OwnedServer; nats: OwnedServer; stop(): Promise<void>; pids(): number[] };
  let ha: HaCluster | undefined;
  let hosts: ChaosHosts | undefined;
  if (o.ha) {
    // The nodes are not the cluster's own processes but agents on simulated hosts that join it.
    ha = await startHaCluster({ ...base, nodes: 0 });
    cluster = ha.cluster;
    const h = ha;
    try {
      hosts = await startChaosHosts({
        home, natsPorts: h.nats.servers.map((x) => x.port), subjectPrefix: cluster.specs[0]?.env.KJOBS_SUBJECT_PREFIX, env: o.env ?? {},
        names: Array.from({ length: nodes }, (_, i) => `node-${i + 1}`),
      });
    } catch (e) {
      await h.stop();
      throw e;
    }
    const hs = hosts;
    infra = {
      redis: h.redis.nodes[0]!, nats: h.nats.servers[0]!, pids: () => [...h.infraPids(), ...hs.agentPids],
      async stop() {
        await hs.stop();
        await h.stop();
      },
    };
  } else {
    const own = await startOwnedInfra(home, { appendfsync: o.appendfsync });
    infra = { ...own, pids: () => [...own.redis.pids, ...own.nats.pids] };
    try {
      cluster = await startCluster({ ...base, redisUrl: own.redis.url, natsUrl: own.nats.url, controllerReplicas: 2 });
    } catch (e) {
      await own.stop();
      throw e;
    }
  }
  const kc = readKubeconfig(home);
  const api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca, timeoutMs: 5000 });
  const probeApi = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca, timeoutMs: 2000 });

  const unexpectedExits: string[] = [];
  const servicePids: number[] = [];
  const expected = new WeakSet<ChildProcess>();
  let stopping = false;
  const watch = (name: string, p: ChildProcess): void => {
    if (p.pid) servicePids.push(p.pid);
    p.once('exit', (code, sig) => {
      if (stopping || expected.has(p)) return;
      unexpectedExits.push(`${name} (${sig ?? code})`);
      const spec = cluster.specs.find((s) => s.name === name)!;
      const np = spawnService(spec, home);
      cluster.procs.set(name, np);
      watch(name, np);
    });
  };
  for (const [name, p] of cluster.procs) watch(name, p);

  const kill = async (name: string): Promise<void> => {
    const p = cluster.procs.get(name);
    if (!p) throw new Error(`no service ${name}`);
    expected.add(p);
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGKILL');
      await exited;
    }
  };
  const respawn = (name: string): void => {
    const spec = cluster.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no service ${name}`);
    const np = spawnService(spec, home);
    cluster.procs.set(name, np);
    watch(name, np);
  };
  const identities = new Map(cluster.specs.filter((s) => s.env.KJOBS_LEADER_IDENTITY).map((s) => [s.env.KJOBS_LEADER_IDENTITY!, s.name]));
  const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

  return {
    home, cluster, redis: infra.redis, nats: infra.nats, ha, hosts, infraPids: infra.pids, api, probeApi, memqPort, unexpectedExits, servicePids,
    async killAndRespawn(name) {
      await kill(name);
      const since = Date.now();
      respawn(name);
      return since;
    },
    async kill(name) {
      await kill(name);
      return Date.now();
    },
    respawn: async (name) => respawn(name),
    async leaderOf(leaseName) {
      const l = await api.get<Lease>('Lease', 'kube-system', leaseName);
      const identity = l.spec.holderIdentity ?? '';
      const service = identities.get(identity);
      if (!service) throw new Error(`${leaseName} is held by ${identity || 'nobody'}, not one of our replicas`);
      return { service, identity };
    },
    async waitReady(timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        try {
          const ns = await api.list<Node>('Node');
          const leases = await Promise.all(['kube-scheduler', 'kube-controller-manager'].map((n) => api.get<Lease>('Lease', 'kube-system', n)));
          const memqUp = (await fetch(`http://127.0.0.1:${memqPort}/healthz`)).status === 200;
          if (memqUp && ns.items.filter(ready).length >= nodes && leases.every((l) => identities.has(l.spec.holderIdentity ?? ''))) return;
        } catch {
          /* not yet */
        }
        if (Date.now() > end) throw new Error(`cluster not ready after ${timeoutMs} ms (see ${path.join(home, 'logs')})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      stopping = true;
      await api.close();
      await probeApi.close();
      if (!ha) await cluster.stop();
      await infra.stop(); // HA: the services first, then Redis and NATS
    },
  };
}
