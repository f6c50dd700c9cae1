/**
 * The highly available layout on one machine (issue 21; `npm start -- --ha`, `npm run chaos --
 * --ha`): three NATS servers joined by routes, a Redis primary with a replica watched by three
 * Sentinels, two api-servers behind HAProxy (the kubeconfig names HAProxy), two schedulers and two
 * job-controllers (one leads, one stands by), the kubelet-agents and memq. Every member is a
 * process this one owns on free loopback ports, its data under `<home>/` (nats-N, redis-N,
 * sentinel-N); the services reach Redis through the Sentinels and acknowledge a write only once
 * the replica has it (docs/reliability.md, "Redis failover").
 */
import { startNatsCluster, type OwnedNatsCluster } from '../chaos/infra.js';
import { startRedisSentinel, type OwnedRedisSentinel } from '../chaos/redis-sentinel.js';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.js';

/** A running highly available cluster. */
export interface HaCluster {
  cluster: Cluster;
  nats: OwnedNatsCluster;
  redis: OwnedRedisSentinel;
  /** Every pid of the infrastructure (NATS, Redis, Sentinels) it ever started, for orphan checks. */
  infraPids(): number[];
  /** Stop the services, then HAProxy, then Redis and NATS. */
  stop(): Promise<void>;
}

/** The HA layout's own options: the cluster's, less what the layout decides (where Redis and NATS are, how many replicas). */
export type HaOptions = Omit<ClusterOptions, 'redisUrl' | 'natsUrl' | 'apiServers' | 'controllerReplicas'> & {
  /** api-servers behind HAProxy (default 2). */
  apiServers?: number;
};

/** Start NATS, Redis with its Sentinels, then the services; resolves once the api-servers answer through HAProxy. */
export async function startHaCluster(o: HaOptions): Promise<HaCluster> {
  const nats = await startNatsCluster(o.home, 3);
  let redis: OwnedRedisSentinel | undefined;
  // Exiting without stop() (Ctrl-C while starting, a crash) must not leave the servers running.
  const servers = () => [...nats.servers, ...(redis?.nodes ?? []), ...(redis?.sentinels ?? [])];
  const pids = () => servers().flatMap((s) => s.pids);
  const killLeft = () => {
    for (const pid of servers().filter((s) => s.alive()).map((s) => s.pid()!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', killLeft);
  try {
    redis = await startRedisSentinel(o.home, { replicas: 1 });
    const primary = await redis.primary();
    const cluster = await startCluster({
      ...o,
      // REDIS_URL names the first primary for tools that read it; the services follow the Sentinels.
      redisUrl: primary.url, natsUrl: nats.url, apiServers: o.apiServers ?? 2, controllerReplicas: 2,
      env: { ...o.env, ...redis.env },
    });
    const r = redis;
    return {
      cluster, nats, redis: r,
      infraPids: pids,
      async stop() {
        await cluster.stop();
        await r.stop();
        await nats.stop();
        process.removeListener('exit', killLeft);
      },
    };
  } catch (e) {
    await redis?.stop();
    await nats.stop();
    process.removeListener('exit', killLeft);
    throw e;
  }
}
