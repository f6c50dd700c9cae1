import type { NatsConnection, Subjects } from '@kjobs/bus';
import type { ApiClient, WorkQueueMetricsProvider } from '@kjobs/client';
import type { Logger } from 'pino';
import type { KubeletMetrics } from './kubelet-metrics.js';
import type { EgressMode } from './network/egress-proxy.js';
import type { NodeFacts } from './node-object.js';
import type { PodNetworkChoice } from './pod-network-plan.js';
import type { RuntimeChoice } from './runtime-choice.js';

/** Options of a kubelet-agent. */
export interface AgentOptions {
  client: ApiClient;
  nc: NatsConnection;
  subjects: Subjects;
  log: Logger;
  node: NodeFacts;
  /** Directory for pods, logs and state (survives agent restarts). */
  rootDir: string;
  /** Pod IPs come from this range, e.g. 127.10.0.0/16. */
  podIPRange: string;
  /** Extra image catalog file (YAML/JSON). */
  catalogFile?: string;
  /** `oci` (containers from images), `process` (host programs) or `auto` (oci where it can run). Default auto. */
  runtime?: RuntimeChoice;
  /** Each pod its own network namespace and address: `on`, `off`, or `auto` (default: on wherever the machine allows it). */
  podNetwork?: PodNetworkChoice;
  /** Egress from pods (with the pod network): `off` (default) or through the node's HTTP `proxy`; `egressLoopback` lets it reach the node's 127.0.0.0/8. */
  podEgress?: { mode: EgressMode; allowLoopback: boolean };
  /**
   * Run the pod network in this existing named namespace and route other Nodes' pod CIDRs to
   * their InternalIPs there (host-gw; NodeNetworkOptions.hostNetns). Default: fabric mode.
   */
  nodeNetns?: string;
  /** The cluster CIDR every node's pod CIDR is part of (default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** Registry mirrors (a k3s-style registries.yaml) for the OCI runtime's image pulls. */
  registriesFile?: string;
  /** Processes per pod under the OCI runtime (default 4096; 0: no limit). */
  podPidsLimit?: number;
  /** Image-pull backoff (default the kubelet's 10 s doubling to 300 s); e2e tests shorten it. */
  imagePullBackoff?: { initialMs: number; maxMs: number };
  /** Lease renewal period (default 10 s, the kubelet's). */
  heartbeatMs?: number;
  /** Node status refresh period (default 60 s). */
  statusMs?: number;
  /** Concurrent pod syncs (default 16). */
  workers?: number;
  /** Pod start and image pull metrics (default: none). */
  metrics?: KubeletMetrics;
  /** Where the pod work queue reports (default: nowhere). */
  queueMetrics?: WorkQueueMetricsProvider;
  /**
   * RSA key size the built-in kuard uses (`--keygen-key-bits`); default kuard's 4096. Tests and
   * demos on slow machines set it lower.
   */
  kuardKeyBits?: number;
  /** Crash-loop backoff (default the kubelet's 10 s doubling to 300 s); e2e tests shorten it. */
  crashLoopBackoff?: { initialMs?: number; maxMs?: number };
  /**
   * How long a pod's first Running status waits for the pod's end before it is written (default
   * 25 ms; 0 writes it at once). See `FirstRunningHold`.
   */
  statusHoldMs?: number;
  /** May pods use hostPath volumes (default true, as Kubernetes; false: FailedMount). */
  allowHostPath?: boolean;
  /** How long a pod's ConfigMaps and Secrets are reused before they are read again (default 10 s). */
  configRefreshMs?: number;
}
