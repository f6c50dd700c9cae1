/**
 * `npm start`: the whole kjobs cluster on this machine as processes — api-server
 * (https://127.0.0.1:6443), scheduler, job-controller, two kubelet-agents, memq (127.0.0.1:8090).
 * Uses Redis and NATS at REDIS_URL / NATS_URL (default loopback) or starts them from PATH; keeps
 * state, logs and the kubeconfig in $KJOBS_HOME (default ./.kjobs). Serves kjobs' own images
 * (kuard, busybox) from a local registry on 127.0.0.1:5000 (scripts/registry.ts). The cluster's
 * supervisor (scripts/cluster.ts) restarts a service that dies, backing off, and leaves one that
 * keeps failing down. The banner appears once every node is Ready and memq answers. Ctrl-C (or
 * SIGTERM) stops everything: the kubelet-agents stop their pods first, so no launcher, pod
 * process, container, cgroup or mount is left.
 */
import path from 'node:path';
import { ensureInfra } from './infra.js';
import { startCluster, waitForClusterReady, type Cluster } from './cluster.js';
import { startHaCluster } from './ha.js';

const ha = process.argv.includes('--ha');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm start [-- --ha]

Starts kjobs on this machine: api-server (https://127.0.0.1:6443), scheduler, job-controller,
two kubelet-agents (node-1, node-2), memq (http://127.0.0.1:8090; 8080 stays free for the
chapter's port-forward) and a local image registry
(http://127.0.0.1:5000) serving gcr.io/kuar-demo/kuard-amd64 and docker.io/library/busybox.

Environment:
  KJOBS_HOME   state dir: kubeconfig, tokens, TLS, logs, pod dirs (default ./.kjobs)
  REDIS_URL    Redis to use (default redis://127.0.0.1:6379; started from PATH if nothing listens)
  NATS_URL     NATS to use (default nats://127.0.0.1:4222; started from PATH if nothing listens)
  KJOBS_NODES  number of kubelet-agents (default 2)
  Every service's address is written to $KJOBS_HOME/endpoints.json and printed: the scheduler,
  job-controller and kubelet-agents serve /healthz, /readyz and /metrics on free loopback ports
  KJOBS_API_PORT / KJOBS_MEMQ_PORT   api-server port (default 6443), memq port (default 8090)
  KJOBS_STORE_PREFIX / KJOBS_SUBJECT_PREFIX   Redis key prefix and NATS subject prefix (default
               kjobs): two clusters on one Redis and NATS need their own; an api-server refuses
               a store another cluster (another KJOBS_HOME) claimed
  KJOBS_RUNTIME  oci (containers, runc), process, or auto (default: oci where it can run)
  KJOBS_REGISTRY_PORT    local registry port (default 5000; a free one when taken)
  KJOBS_LOCAL_REGISTRY   off: start no registry; mirrors point at the image layout (file://)
  KJOBS_REGISTRIES_FILE  your own registries.yaml for the kubelet-agents (with
                         KJOBS_LOCAL_REGISTRY=off nothing is built or started)
  KJOBS_CACHE_DIR        where built images are cached (default ~/.cache/kjobs)

--ha  the highly available layout on this machine (scripts/ha.ts, docs/reliability.md): three
      NATS servers with routes, a Redis primary + replica + three Sentinels (private, on free
      loopback ports, state in their memory: a stop ends it), two api-servers behind HAProxy on
      KJOBS_API_PORT, two schedulers, two job-controllers, the kubelet-agents and memq.
      REDIS_URL and NATS_URL are not used.`);
  process.exit(0);
}

const home = path.resolve(process.env.KJOBS_HOME ?? '.kjobs');
/** What runs beside the services: the machine's (or started) Redis and NATS, or the HA layout's. */
let infra: { stop(): Promise<void> } | undefined;
// Interrupted while starting: exit, which also kills the registry (its exit hook) and what
// ensureInfra started; once the cluster runs, shutdown() below takes over.
const interruptedWhileStarting = () => {
  console.log('\nkjobs: interrupted while starting; stopping…');
  void (infra?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
};
process.once('SIGINT', interruptedWhileStarting);
process.once('SIGTERM', interruptedWhileStarting);
const apiPort = Number(process.env.KJOBS_API_PORT ?? 6443);
const memqPort = Number(process.env.KJOBS_MEMQ_PORT ?? 8090);
const nodes = Number(process.env.KJOBS_NODES ?? 2);
const options = {
  home, nodes, apiPort, memqPort, restartOnSignal: true,
  ...(process.env.KJOBS_STORE_PREFIX ? { storePrefix: process.env.KJOBS_STORE_PREFIX } : {}),
  ...(process.env.KJOBS_SUBJECT_PREFIX ? { subjectPrefix: process.env.KJOBS_SUBJECT_PREFIX } : {}),
  registryPort: Number(process.env.KJOBS_REGISTRY_PORT ?? 5000), log: (line: string) => console.log(`kjobs: ${line}`),
};
let cluster: Cluster;
let haLines = '';
try {
  if (ha) {
    const c = await startHaCluster(options);
    infra = { stop: async () => { await c.redis.stop(); await c.nats.stop(); } };
    cluster = c.cluster;
    haLines = `
Highly available layout:
  NATS       ${c.nats.url}
  Redis      Sentinels ${c.redis.env.KJOBS_REDIS_SENTINELS} (master name ${c.redis.env.KJOBS_REDIS_MASTER_NAME})
  api-server ${cluster.specs.filter((s) => s.name.startsWith('api-server')).map((s) => s.env.KJOBS_API_ADDR).join(', ')} behind HAProxy on 127.0.0.1:${apiPort}
`;
  } else {
    const machine = await ensureInfra(home);
    infra = machine;
    cluster = await startCluster({ ...options, redisUrl: machine.redisUrl, natsUrl: machine.natsUrl });
  }
} catch (e) {
  console.error(`kjobs: ${(e as Error).message}`);
  await infra?.stop();
  process.exit(1);
}
process.removeListener('SIGINT', interruptedWhileStarting);
process.removeListener('SIGTERM', interruptedWhileStarting);

let stopping = false;
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
try {
  await waitForClusterReady(home, { nodes, memqUrl: `http://127.0.0.1:${memqPort}` });
} catch (e) {
  console.error(`kjobs: ${(e as Error).message}; see ${path.join(home, 'logs')}`);
}

// Every service's address (the others' /healthz, /readyz and /metrics ports are free ones).
const endpoints = await cluster.endpoints();
const width = Math.max(...Object.keys(endpoints).map((k) => k.length));
const endpointLines = Object.entries(endpoints).map(([name, url]) => `  ${name.padEnd(width)}  ${url}`).join('\n');
const kubeconfig = path.join(home, 'kubeconfig');
console.log(`kjobs is running.

  export KUBECONFIG=${kubeconfig}
  kubectl get nodes
  kubectl apply -f examples/chapter-12/job-oneshot.yaml
  npx kjobs get jobs -w

api-server  https://127.0.0.1:${apiPort}   dashboard  https://127.0.0.1:${apiPort}/dashboard (sign in with the kubeconfig's token)
memq        http://127.0.0.1:${memqPort}    logs       ${path.join(home, 'logs')}
${cluster.registry?.summary ?? 'images     no local images (see the log lines above)'}

Endpoints (${path.join(home, 'endpoints.json')}; /healthz, /readyz, /metrics on each):
${endpointLines}
${haLines}Press Ctrl-C to stop.`);

async function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log('\nkjobs: stopping…');
  await cluster.stop();
  await infra!.stop();
  console.log('kjobs: stopped.');
  process.exit(0);
}
