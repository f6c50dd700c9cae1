import type { VolumeOptions } from './pod-volumes.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import type { Catalog } from './catalog.js';
import type { ContainerEngine } from './engine.js';
import { kubernetesServiceEnv } from './env.js';
import { type Logger, silentLogger } from './logger.js';
import type { PodNetwork } from './pod-network.js';

/** A source of "now" (epoch ms); tests may inject one. Timers still run on real time. */
export interface Clock {
  now(): number;
}

/** Options of a ProcessRuntime; every optional field names its default. */
export interface ProcessRuntimeOptions {
  /** Directory for the shim, pod directories, logs and state files. */
  rootDir: string;
  /** This node's name (fieldRef spec.nodeName fallback). */
  nodeName: string;
  /** CIDR pod IPs come from, e.g. `127.1.0.0/16`; disjoint for agents sharing a machine. */
  podIPRange: string;
  /** The image catalog (loadCatalog / createCatalog). */
  catalog: Catalog;
  /** status.hostIP. Default `127.0.0.1`. */
  hostIP?: string;
  /** Default the system clock. */
  clock?: Clock;
  /** Default silent. */
  logger?: Logger;
  /** Crash-loop backoff. Default `{ initialMs: 10_000, maxMs: 300_000 }` (the kubelet's). */
  backoff?: Partial<BackoffOptions>;
  /** Floor of a graceful stop (grace > 0); 0 always means SIGKILL at once. Default 2 (the kubelet's). */
  minimumGracePeriodSeconds?: number;
  /** How soon a container waiting on a config error (or a pod without an IP) is tried again. Default 10 000 ms. */
  configRetryMs?: number;
  /** Poll interval for re-attached runs and followed logs. Default 200 ms. */
  pollIntervalMs?: number;
  /** How often log growth is sampled for timestamps. Default 250 ms. */
  logTimesIntervalMs?: number;
  /** Gives every container KUBERNETES_SERVICE_HOST/PORT and friends. Default none. */
  kubernetesService?: { host: string; port: number };
  /** Pod volumes: hostPath allowed, memory emptyDirs as tmpfs, mountPath links (pod-volumes.ts). Default: see VolumeOptions; mountPath links for the process engine. */
  volumes?: VolumeOptions;
  /**
   * How runs start: a launcher binary's path, or false for the sh shim. Default: KJOBS_LAUNCHER,
   * else native/kjobs-launcher.c compiled once with cc, else the sh shim.
   */
  launcher?: string | false;
  /** What runs a container: `new OciEngine(…)` for OCI containers. Default a ProcessEngine over `catalog`. */
  engine?: ContainerEngine;
  /** Gives each pod a network namespace and address (NodeNetwork). Default none: loopback IPs from `podIPRange`. */
  podNetwork?: PodNetwork;
}

/** The options with every default applied (compiled once by ProcessRuntime). */
export interface CompiledOptions {
  rootDir: string;
  nodeName: string;
  podIPRange: string;
  catalog: Catalog;
  hostIP: string;
  now: () => number;
  log: Logger;
  backoff: BackoffOptions;
  minimumGracePeriodSeconds: number;
  configRetryMs: number;
  pollIntervalMs: number;
  logTimesIntervalMs: number;
  kubernetesEnv: Record<string, string> | undefined;
}

/** Apply every default to the runtime's options. */
export function compileOptions(options: ProcessRuntimeOptions): CompiledOptions {
  const clock = options.clock;
  const k8s = options.kubernetesService;
  return {
    rootDir: options.rootDir,
    nodeName: options.nodeName,
    podIPRange: options.podIPRange,
    catalog: options.catalog,
    hostIP: options.hostIP ?? '127.0.0.1',
    now: clock ? () => clock.now() : Date.now,
    log: options.logger ?? silentLogger,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    minimumGracePeriodSeconds: options.minimumGracePeriodSeconds ?? 2,
    configRetryMs: options.configRetryMs ?? 10_000,
    pollIntervalMs: options.pollIntervalMs ?? 200,
    logTimesIntervalMs: options.logTimesIntervalMs ?? 250,
    kubernetesEnv: k8s ? kubernetesServiceEnv(k8s.host, k8s.port) : undefined,
  };
}

/** Something the agent should record as a Kubernetes Event on the pod. */
export interface RuntimeEvent {
  podUid: string;
  namespace: string;
  podName: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{name}` / `spec.initContainers{name}` when about one container. */
  fieldPath?: string;
}
