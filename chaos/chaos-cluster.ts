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
import { startOwnedInfra, type OwnedServer } from './infra.js';

/** A running chaos cluster. */
export interface ChaosCluster {
  home: string;
  cluster: Cluster;
  redis: OwnedServer;
  nats: OwnedServer;
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
  /** The service name (e.g. "scheduler-2") of the replica holding a kube-system leader Lease. */
  leaderOf(leaseName: string): Promise<{ service: string; identity: string }>;
  /** Wait until every node is Ready, both leader Leases are held and memq answers. */
  waitReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Start infra and cluster under a fresh temp home. */
export async function startChaosCluster(o: { nodes?: number; env?: Record<string, string>; nodeEnv?: ClusterOptions['nodeEnv']; tag: string; appendfsync?: 'always' | 'everysec' }): Promise<ChaosCluster> {
  const home = mkdtempSync(path.join(os.tmpdir(), `kjobs-${o.tag}-`));
  const infra = await startOwnedInfra(home, { appendfsync: o.appendfsync });
  const apiPort = await freePort();
  const memqPort = await freePort();
  const nodes = o.nodes ?? 2;
  let cluster: Cluster;
  try {
    cluster = await startCluster({ home, redisUrl: infra.redis.url, natsUrl: infra.nats.url, apiPort, memqPort, nodes, env: o.env, nodeEnv: o.nodeEnv, controllerReplicas: 2 });
  } catch (e) {
    await infra.stop();
    throw e;
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

  const identities = new Map(cluster.specs.filter((s) => s.env.KJOBS_LEADER_IDENTITY).map((s) => [s.env.KJOBS_LEADER_IDENTITY!, s.name]));
  const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

  return {
    home, cluster, redis: infra.redis, nats: infra.nats, api, probeApi, memqPort, unexpectedExits, servicePids,
    async killAndRespawn(name) {
      const p = cluster.procs.get(name);
      const spec = cluster.specs.find((s) => s.name === name);
      if (!p || !spec) throw new Error(`no service ${name}`);
      expected.add(p);
      if (p.exitCode === null && p.signalCode === null) {
        const exited = new Promise<void>((r) => p.once('exit', () => r()));
        p.kill('SIGKILL');
        await exited;
      }
      const since = Date.now();
      const np = spawnService(spec, home);
      cluster.procs.set(name, np);
      watch(name, np);
      return since;
    },
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
      await cluster.stop();
      await infra.stop();
    },
  };
}
