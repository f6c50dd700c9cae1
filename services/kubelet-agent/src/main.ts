/**
 * kubelet-agent entry point: reads its settings (settings.ts; `--help` lists them), serves
 * /healthz, /readyz and /metrics, and runs the node until SIGTERM or SIGINT. Those shut the node
 * down: every pod is stopped (grace capped at KJOBS_SHUTDOWN_GRACE_SECONDS) and nothing of it is
 * left; with KJOBS_KEEP_PODS_ON_STOP pods keep running and a restarted agent re-attaches to them
 * (as after a crash).
 */
import os from 'node:os';
import path from 'node:path';
import { connectBus, Subjects } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';
import { configure, createLogger, createServiceRegistry, createWorkQueueMetrics, natsConnected, startObserveServer, writeAddressFile } from '@kjobs/observe';
import { KubeletMetrics } from './kubelet-metrics.js';
import { KubeletAgent } from './agent.js';
import { defaultCapacity } from './node-object.js';
import { JoinError, joinCluster, kubeletConfPath, readKubeletConfToken } from './join.js';
import { kubeletAgentSettings } from './settings.js';

const cfg = configure(kubeletAgentSettings);
const nodeName = (cfg.nodeName ?? os.hostname()).toLowerCase();
const log = createLogger('kubelet-agent', { level: cfg.logLevel, node: nodeName });
const cap = defaultCapacity();
if (cfg.clusterCIDR === false && cfg.podNetwork === 'on') {
  process.stderr.write('kubelet-agent: KJOBS_POD_NETWORK=on needs a cluster CIDR (KJOBS_CLUSTER_CIDR is off)\n');
  process.exit(2);
}

// The observability port comes first: while NATS is not reachable /readyz says so.
const registry = createServiceRegistry();
registry.setDefaultLabels({ node: nodeName });
const metrics = new KubeletMetrics(registry);
const queueMetrics = createWorkQueueMetrics(registry);
let isNatsConnected = () => false;
let agent: KubeletAgent | undefined;
const observe = await startObserveServer(cfg.httpAddr, {
  registry,
  readiness: [
    { name: 'nats', check: () => isNatsConnected() },
    // Node registered, pod and Service informers synced, workers running (KubeletAgent.start).
    { name: 'informers-synced', check: () => !!agent?.hasSynced() },
  ],
});
log.info({ url: observe.url }, 'serving /healthz, /readyz and /metrics');
if (cfg.addrFile) writeAddressFile(cfg.addrFile, observe.url);

// Pinged at the heartbeat's pace (at most every 10 s): a dead link is replaced before the node controller gives up on the node.
const nc = await connectBus({
  url: cfg.natsUrl, name: `kubelet-agent-${nodeName}`, user: cfg.natsUser, pass: cfg.natsPassword,
  pingIntervalMs: Math.min(10_000, cfg.heartbeat), connectTimeoutMs: Math.min(20_000, Math.max(2000, cfg.heartbeat)),
});
const subjects = new Subjects(cfg.subjectPrefix);
const rootDir = cfg.agentDir ?? path.join(cfg.home, 'nodes', nodeName);
const token = await nodeToken();
const client = new NatsClient({ nc, prefix: cfg.subjectPrefix, token });
isNatsConnected = natsConnected(nc);
const makeAgent = () => new KubeletAgent({
  client, nc, subjects, log, metrics, queueMetrics,
  node: { name: nodeName, cpu: cfg.nodeCpu ?? cap.cpu, memory: cfg.nodeMemory ?? cap.memory, pods: String(cfg.nodePods), labels: cfg.nodeLabels ?? {}, hostIP: cfg.nodeIp },
  rootDir,
  ...(cfg.nodeNetns ? { nodeNetns: cfg.nodeNetns } : {}),
  podIPRange: cfg.podIPRange,
  catalogFile: cfg.catalogFile,
  runtime: cfg.runtime,
  registriesFile: cfg.registriesFile,
  // Without node IPAM no Node gets a pod CIDR: pods keep loopback addresses.
  podNetwork: cfg.clusterCIDR === false ? 'off' : cfg.podNetwork,
  ...(cfg.clusterCIDR ? { clusterCIDR: cfg.clusterCIDR } : {}),
  podEgress: { mode: cfg.podEgress, allowLoopback: cfg.podEgressLoopback === 'allow' },
  ...(cfg.podPidsLimit !== undefined ? { podPidsLimit: cfg.podPidsLimit } : {}),
  imagePullBackoff: { initialMs: cfg.pullBackoffInitial, maxMs: cfg.pullBackoffMax },
  heartbeatMs: cfg.heartbeat,
  kuardKeyBits: cfg.kuardKeyBits,
  crashLoopBackoff: { initialMs: cfg.crashLoopInitial, maxMs: cfg.crashLoopMax },
  statusHoldMs: cfg.statusHold,
  allowHostPath: cfg.allowHostPath,
  configRefreshMs: cfg.configRefresh,
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

/**
 * The node's API token: KJOBS_TOKEN; else the credential of an earlier join (kubelet.conf);
 * else a join with KJOBS_JOIN_TOKEN (retried while no api-server answers; a refusal ends the
 * agent with its reason, exit 1); else none (an anonymous node, for clusters that allow it).
 */
async function nodeToken(): Promise<string | undefined> {
  if (cfg.token) return cfg.token;
  const confFile = kubeletConfPath(rootDir);
  const kept = readKubeletConfToken(confFile);
  if (kept || !cfg.joinToken) return kept;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await joinCluster({
        nc, subjects, nodeName, token: cfg.joinToken, confFile, log,
        ...(cfg.discoveryTokenCaCertHash ? { caCertHash: cfg.discoveryTokenCaCertHash } : {}),
        unsafeSkipCaVerification: cfg.discoveryTokenUnsafeSkipCaVerification,
      });
    } catch (e) {
      if (!(e instanceof JoinError) || !e.retryable) {
        log.fatal({ err: (e as Error).message }, 'cannot join the cluster');
        process.stderr.write(`kubelet-agent: ${(e as Error).message}\n`);
        process.exit(1);
      }
      log.warn({ err: e.message }, 'join: no answer yet; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

const stop = async () => {
  await agent?.stop({ shutdownPods: !cfg.keepPodsOnStop, maxGraceSeconds: cfg.shutdownGrace / 1000 });
  await nc.drain().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
