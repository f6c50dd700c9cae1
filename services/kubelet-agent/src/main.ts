/**
 * kubelet-agent entry point. Environment: NODE_NAME (host name), KJOBS_AGENT_DIR
 * ($KJOBS_HOME/nodes/<node>), KJOBS_POD_IP_RANGE (127.10.0.0/16), KJOBS_CATALOG_FILE (extra
 * image catalog), KJOBS_KUARD_KEY_BITS (4096: RSA key size of the built-in kuard),
 * KJOBS_HEARTBEAT_SECONDS (10: Lease renewal period),
 * KJOBS_CRASHLOOP_INITIAL_MS / KJOBS_CRASHLOOP_MAX_MS (10000 / 300000: crash-loop backoff),
 * KJOBS_STATUS_HOLD_MS (25: how long a pod's first Running status waits for the pod's end), KJOBS_NODE_CPU / KJOBS_NODE_MEMORY / KJOBS_NODE_PODS (capacity; default this
 * machine's cores and memory, 110 pods), KJOBS_NODE_LABELS (k=v,k2=v2), NATS_URL, NATS_USER,
 * NATS_PASSWORD[_FILE], KJOBS_TOKEN[_FILE], KJOBS_SUBJECT_PREFIX (kjobs), LOG_LEVEL (info),
 * KJOBS_LAUNCHER (a launcher binary, or `off` for the sh shim; default native/kjobs-launcher.c
 * compiled once with $CC or cc into KJOBS_CACHE_DIR, default ~/.cache/kjobs; see the README).
 * KJOBS_RUNTIME or `--runtime=oci|process|auto` (auto: OCI containers run by runc where they can
 * run — root, runc, writable cgroups — else processes), KJOBS_REGISTRIES_FILE (registry mirrors,
 * k3s registries.yaml), KJOBS_POD_PIDS_LIMIT (4096; 0 = none), KJOBS_IMAGE_PULL_BACKOFF_INITIAL_MS /
 * KJOBS_IMAGE_PULL_BACKOFF_MAX_MS (10000 / 300000). KJOBS_POD_NETWORK or `--pod-network=on|off|auto`
 * (auto: each pod its own network namespace and address from the Node's spec.podCIDR, for both
 * runtimes, when the machine allows it — root, ip, /usr/lib/cni — else loopback addresses;
 * see the README's "Pod network"), KJOBS_CLUSTER_CIDR (10.244.0.0/16: routed between the nodes).
 * KJOBS_POD_EGRESS or `--pod-egress=off|proxy` (off: pods reach only the pod network; proxy: an
 * HTTP proxy at <gateway>:3128 that the pods' HTTP_PROXY/HTTPS_PROXY name, leaving from the
 * host's network; nothing of the host is changed), KJOBS_POD_EGRESS_LOOPBACK (deny|allow: the
 * proxy to the node's 127.0.0.0/8).
 * KJOBS_NSDIAL (the kjobs-nsdial helper; default native/kjobs-nsdial.c compiled once with cc).
 * KJOBS_ALLOW_HOST_PATH (true; `false` refuses hostPath volumes), KJOBS_CONFIG_REFRESH_MS (10000: how
 * long a pod's ConfigMaps and Secrets are reused before they are read again).
 * KJOBS_HTTP_ADDR (127.0.0.1:0: /healthz, /readyz and /metrics; port 0 = a free one, logged and
 * written to KJOBS_ADDR_FILE when set).
 * SIGTERM or SIGINT shuts the node down: every pod is stopped (grace capped at
 * KJOBS_SHUTDOWN_GRACE_SECONDS, default 5) and nothing of it is left. With KJOBS_KEEP_PODS_ON_STOP=1
 * pods keep running and a restarted agent re-attaches to them (as after a crash).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectBus, Subjects } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';
import { createLogger, createServiceRegistry, createWorkQueueMetrics, natsConnected, parseListenAddress, startObserveServer, writeAddressFile } from '@kjobs/observe';
import { KubeletMetrics } from './kubelet-metrics.js';
import { KubeletAgent } from './agent.js';
import { parseRuntimeChoice } from './runtime-choice.js';
import { parseEgressLoopback, parseEgressMode } from './network/egress-proxy.js';
import { parsePodNetworkChoice } from './pod-network-plan.js';
import { defaultCapacity } from './node-object.js';

const env = process.env;
const secret = (n: string) => (env[`${n}_FILE`] ? readFileSync(env[`${n}_FILE`]!, 'utf8').trim() : env[n] || undefined);
const nodeName = (env.NODE_NAME || os.hostname()).toLowerCase();
const log = createLogger('kubelet-agent', { level: env.LOG_LEVEL, node: nodeName });
const cap = defaultCapacity();
const labels = Object.fromEntries((env.KJOBS_NODE_LABELS ?? '').split(',').filter((kv) => kv.includes('=')).map((kv) => kv.split('=') as [string, string]));

const runtimeFlag = process.argv.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length);
const runtime = parseRuntimeChoice(runtimeFlag ?? env.KJOBS_RUNTIME);
const pullInitial = env.KJOBS_IMAGE_PULL_BACKOFF_INITIAL_MS ? Number(env.KJOBS_IMAGE_PULL_BACKOFF_INITIAL_MS) : undefined;
const pullMax = env.KJOBS_IMAGE_PULL_BACKOFF_MAX_MS ? Number(env.KJOBS_IMAGE_PULL_BACKOFF_MAX_MS) : undefined;

// The observability port comes first: while NATS is not reachable /readyz says so.
const registry = createServiceRegistry();
registry.setDefaultLabels({ node: nodeName });
const metrics = new KubeletMetrics(registry);
const queueMetrics = createWorkQueueMetrics(registry);
let isNatsConnected = () => false;
let agent: KubeletAgent | undefined;
const observe = await startObserveServer(parseListenAddress(env.KJOBS_HTTP_ADDR || '127.0.0.1:0', 'KJOBS_HTTP_ADDR'), {
  registry,
  readiness: [
    { name: 'nats', check: () => isNatsConnected() },
    // Node registered, pod and Service informers synced, workers running (KubeletAgent.start).
    { name: 'informers-synced', check: () => !!agent?.hasSynced() },
  ],
});
log.info({ url: observe.url }, 'serving /healthz, /readyz and /metrics');
if (env.KJOBS_ADDR_FILE) writeAddressFile(env.KJOBS_ADDR_FILE, observe.url);

const nc = await connectBus({ url: env.NATS_URL, name: `kubelet-agent-${nodeName}`, user: env.NATS_USER, pass: secret('NATS_PASSWORD') });
const subjects = new Subjects(env.KJOBS_SUBJECT_PREFIX);
const client = new NatsClient({ nc, prefix: env.KJOBS_SUBJECT_PREFIX, token: secret('KJOBS_TOKEN') });
isNatsConnected = natsConnected(nc);
const makeAgent = () => new KubeletAgent({
  client, nc, subjects, log, metrics, queueMetrics,
  node: { name: nodeName, cpu: env.KJOBS_NODE_CPU ?? cap.cpu, memory: env.KJOBS_NODE_MEMORY ?? cap.memory, pods: env.KJOBS_NODE_PODS ?? cap.pods, labels, hostIP: '127.0.0.1' },
  rootDir: env.KJOBS_AGENT_DIR ?? path.join(env.KJOBS_HOME ?? '.kjobs', 'nodes', nodeName),
  podIPRange: env.KJOBS_POD_IP_RANGE ?? '127.10.0.0/16',
  catalogFile: env.KJOBS_CATALOG_FILE,
  runtime,
  registriesFile: env.KJOBS_REGISTRIES_FILE || undefined,
  podNetwork: parsePodNetworkChoice(process.argv.find((a) => a.startsWith('--pod-network='))?.slice('--pod-network='.length) ?? env.KJOBS_POD_NETWORK),
  clusterCIDR: env.KJOBS_CLUSTER_CIDR || '10.244.0.0/16',
  podEgress: {
    mode: parseEgressMode(process.argv.find((a) => a.startsWith('--pod-egress='))?.slice('--pod-egress='.length) ?? env.KJOBS_POD_EGRESS),
    allowLoopback: parseEgressLoopback(env.KJOBS_POD_EGRESS_LOOPBACK),
  },
  ...(env.KJOBS_POD_PIDS_LIMIT ? { podPidsLimit: Number(env.KJOBS_POD_PIDS_LIMIT) } : {}),
  ...(pullInitial || pullMax ? { imagePullBackoff: { initialMs: pullInitial ?? 10_000, maxMs: pullMax ?? 300_000 } } : {}),
  heartbeatMs: Number(env.KJOBS_HEARTBEAT_SECONDS ?? 10) * 1000,
  kuardKeyBits: env.KJOBS_KUARD_KEY_BITS ? Number(env.KJOBS_KUARD_KEY_BITS) : undefined,
  crashLoopBackoff: {
    ...(env.KJOBS_CRASHLOOP_INITIAL_MS ? { initialMs: Number(env.KJOBS_CRASHLOOP_INITIAL_MS) } : {}),
    ...(env.KJOBS_CRASHLOOP_MAX_MS ? { maxMs: Number(env.KJOBS_CRASHLOOP_MAX_MS) } : {}),
  },
  ...(env.KJOBS_STATUS_HOLD_MS ? { statusHoldMs: Number(env.KJOBS_STATUS_HOLD_MS) } : {}),
  allowHostPath: env.KJOBS_ALLOW_HOST_PATH !== 'false',
  ...(env.KJOBS_CONFIG_REFRESH_MS ? { configRefreshMs: Number(env.KJOBS_CONFIG_REFRESH_MS) } : {}),
});

// The api-server may still be starting: retry (with a fresh agent) until it answers.
agent = makeAgent();
for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
  try {
    await agent.start();
    break;
  } catch (e) {
    log.warn({ err: e }, 'start failed; retrying');
    await agent.stop().catch(() => undefined);
    await new Promise((r) => setTimeout(r, delay));
    agent = makeAgent();
  }
}

const stop = async () => {
  await agent?.stop({ shutdownPods: env.KJOBS_KEEP_PODS_ON_STOP !== '1', maxGraceSeconds: Number(env.KJOBS_SHUTDOWN_GRACE_SECONDS ?? 5) });
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
