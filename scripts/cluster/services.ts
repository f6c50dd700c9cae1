/**
 * Which services a local cluster runs, with which entry and environment, and the identities
 * (static tokens) they use. Part of scripts/cluster.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One service process of the cluster. */
export interface ServiceSpec {
  name: string;
  /** Entry file relative to the repo root. */
  entry: string;
  env: Record<string, string>;
}

/** Options of a local cluster. */
export interface ClusterOptions {
  home: string;
  redisUrl: string;
  natsUrl: string;
  /** api-server port (default 6443; 0 picks a free one); with several api-servers, the load balancer's. */
  apiPort?: number;
  /**
   * How many api-servers (default 1). More than one run behind HAProxy on `apiPort`
   * (cluster/haproxy.ts), each on a port of its own (`apiServerPorts`), sharing the home (PKI,
   * tokens), the store and the NATS queue group; the kubeconfig names HAProxy.
   */
  apiServers?: number;
  /** The api-servers' own ports when there are several (startCluster picks free ones). */
  apiServerPorts?: number[];
  /**
   * Replicas of each elected controller, the scheduler and the job-controller (default 1): the
   * others stand by for the leader Lease (`scheduler-2`, … each with its own leader identity).
   */
  controllerReplicas?: number;
  /** memq port (default 8090: 8080 stays free for the chapter's port-forward). */
  memqPort?: number;
  /** Number of kubelet-agents (default 2). */
  nodes?: number;
  /** Prefixes so several clusters can share one Redis/NATS (tests). */
  storePrefix?: string;
  subjectPrefix?: string;
  /** Serve HTTPS (default true). */
  tls?: boolean;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Services to leave out (e.g. ["memq"]). */
  without?: string[];
  /**
   * Second octet of node-1's loopback pod addresses without the pod network (default 10:
   * 127.10.0.0/16, node-2 127.11.0.0/16, ...). Clusters that run at once on one machine (test
   * files in parallel) need different ones, or their pods bind the same address and port.
   */
  podAddressOctet?: number;
  /** Node capacity overrides, per node index. */
  nodeEnv?: (index: number) => Record<string, string>;
  /** Port of the local image registry on 127.0.0.1 (default 0: a free one; `npm start` uses 5000). */
  registryPort?: number;
  /** `off`: start no local registry (default `$KJOBS_LOCAL_REGISTRY`, else `on`). */
  localRegistry?: 'on' | 'off';
  /** A mirrors file to give the kubelet-agents instead of the generated one (default `$KJOBS_REGISTRIES_FILE`). */
  registriesFile?: string;
  /** Where built images are cached (default `$KJOBS_CACHE_DIR`, else `~/.cache/kjobs`). */
  cacheDir?: string;
  /** Lines about images and the registry (default: silent). */
  log?: (line: string) => void;
  /**
   * Restart services killed by a signal too (`npm start`: an OOM kill is a crash). Default false:
   * tests and chaos runs kill services on purpose and restart them themselves.
   */
  restartOnSignal?: boolean;
}

/** The mirrors file the kubelet-agents get: the user's, else `<home>/registries.yaml` (scripts/registry.ts). */
export function registriesFileOf(o: ClusterOptions): string {
  const user = o.registriesFile ?? process.env.KJOBS_REGISTRIES_FILE;
  return user ? path.resolve(user) : path.join(o.home, 'registries.yaml');
}

/** Identities in the static token file: one per component and node, and an admin. */
export function ensureTokens(home: string, nodeNames: string[]): Map<string, string> {
  const file = path.join(home, 'tokens.csv');
  const byUser = new Map<string, string>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [token, user] = line.split(',');
      if (token && user) byUser.set(user, token);
    }
  }
  const want: [string, string][] = [
    ['admin', 'system:masters'],
    ['system:kube-scheduler', 'system:kube-scheduler'],
    ['system:kube-controller-manager', 'system:kube-controller-manager'],
    ['system:memq', 'system:memq'],
    ...nodeNames.map((n) => [`system:node:${n}`, 'system:nodes'] as [string, string]),
  ];
  let changed = false;
  const lines: string[] = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  for (const [user, group] of want) {
    if (byUser.has(user)) continue;
    const token = randomBytes(24).toString('hex');
    byUser.set(user, token);
    lines.push(`${token},${user},${user},"${group}"`);
    changed = true;
  }
  if (changed) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  return byUser;
}

/** The service table of a local cluster. */
export function clusterServices(o: ClusterOptions): ServiceSpec[] {
  const nodeNames = Array.from({ length: o.nodes ?? 2 }, (_, i) => `node-${i + 1}`);
  const tokens = ensureTokens(o.home, nodeNames);
  const common: Record<string, string> = {
    NATS_URL: o.natsUrl,
    KJOBS_HOME: o.home,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(o.subjectPrefix ? { KJOBS_SUBJECT_PREFIX: o.subjectPrefix } : {}),
    ...o.env,
  };
  const apiServers = o.apiServers ?? 1;
  const scheme = o.tls === false ? 'http' : 'https';
  if (apiServers > 1 && o.apiServerPorts?.length !== apiServers) throw new Error(`${apiServers} api-servers need ${apiServers} apiServerPorts`);
  const out: ServiceSpec[] = [
    ...Array.from({ length: apiServers }, (_, i) => ({
      name: i === 0 ? 'api-server' : `api-server-${i + 1}`, entry: 'services/api-server/src/main.ts',
      env: {
        ...common, REDIS_URL: o.redisUrl, KJOBS_API_ADDR: `127.0.0.1:${apiServers > 1 ? o.apiServerPorts![i] : o.apiPort ?? 6443}`, KJOBS_TLS: o.tls === false ? '0' : '1',
        KJOBS_TOKEN_AUTH_FILE: path.join(o.home, 'tokens.csv'), KJOBS_KUBECONFIG: path.join(o.home, 'kubeconfig'),
        ...(apiServers > 1 ? { KJOBS_ADVERTISE_URL: `${scheme}://127.0.0.1:${o.apiPort ?? 6443}` } : {}),
        ...((o.without ?? []).includes('memq') ? {} : { KJOBS_MEMQ_URL: `http://127.0.0.1:${o.memqPort ?? 8090}` }),
        ...(o.storePrefix ? { KJOBS_STORE_PREFIX: o.storePrefix } : {}),
      },
    })),
    ...replicasOf(o, 'scheduler', (name, i) => ({
      name, entry: 'services/scheduler/src/main.ts',
      env: { ...common, KJOBS_ADDR_FILE: addressFileOf(o.home, name), KJOBS_TOKEN: tokens.get('system:kube-scheduler')!, KJOBS_LEADER_IDENTITY: `${os.hostname()}-scheduler-${i + 1}` },
    })),
    ...replicasOf(o, 'job-controller', (name, i) => ({
      name, entry: 'services/job-controller/src/main.ts',
      env: {
        ...common, KJOBS_ADDR_FILE: addressFileOf(o.home, name), KJOBS_TOKEN: tokens.get('system:kube-controller-manager')!, KJOBS_LEADER_IDENTITY: `${os.hostname()}-job-controller-${i + 1}`,
        ...((o.without ?? []).includes('memq') ? {} : { KJOBS_MEMQ_URL: `http://127.0.0.1:${o.memqPort ?? 8090}` }),
      },
    })),
    ...nodeNames.map((n, i) => ({
      name: `kubelet-agent-${n}`, entry: 'services/kubelet-agent/src/main.ts',
      env: { ...common, NODE_NAME: n, KJOBS_ADDR_FILE: addressFileOf(o.home, `kubelet-agent-${n}`), KJOBS_TOKEN: tokens.get(`system:node:${n}`)!, KJOBS_POD_IP_RANGE: `127.${(o.podAddressOctet ?? 10) + i}.0.0/16`, KJOBS_AGENT_DIR: path.join(o.home, 'nodes', n), KJOBS_REGISTRIES_FILE: registriesFileOf(o), ...(o.nodeEnv?.(i) ?? {}) },
    })),
    {
      name: 'memq', entry: 'services/memq/src/main.ts',
      env: { ...common, REDIS_URL: o.redisUrl, MEMQ_ADDR: `127.0.0.1:${o.memqPort ?? 8090}`, ...(o.storePrefix ? { MEMQ_PREFIX: `${o.storePrefix}-memq` } : {}) },
    },
  ];
  return out.filter((s) => !(o.without ?? []).some((w) => s.name === w || s.name.startsWith(`${w}-`)));
}

/** The specs of an elected controller's replicas: `name`, `name-2`, … (ClusterOptions.controllerReplicas). */
function replicasOf(o: ClusterOptions, service: string, spec: (name: string, i: number) => ServiceSpec): ServiceSpec[] {
  return Array.from({ length: Math.max(1, o.controllerReplicas ?? 1) }, (_, i) => spec(i === 0 ? service : `${service}-${i + 1}`, i));
}

/** True for the api-server and its replicas (`api-server-2`, …). */
export function isApiServer(name: string): boolean {
  return name === 'api-server' || /^api-server-\d+$/.test(name);
}

/** The URL an api-server spec listens on (its own, not the load balancer's). */
export function apiServerUrl(s: ServiceSpec): string {
  return `${s.env.KJOBS_TLS === '0' ? 'http' : 'https'}://${s.env.KJOBS_API_ADDR}`;
}

/** Where service `name` writes the URL of its /healthz, /readyz and /metrics port (KJOBS_ADDR_FILE). */
export function addressFileOf(home: string, name: string): string {
  return path.join(home, 'run', `${name}.addr`);
}
