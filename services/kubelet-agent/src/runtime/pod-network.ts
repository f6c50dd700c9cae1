import type { Pod } from '@kjobs/api';

/** A pod's place on the pod network. */
export interface PodSandboxNetwork {
  podIP: string;
  /** The pod's network namespace (`/run/netns/…`), joined by every container of the pod. */
  netnsPath: string;
}

/**
 * The pod network of a node (the kubelet's CNI side): gives a pod its own network namespace and
 * address, takes them back, and reaches pod addresses from the node. Without one, pods share the
 * node's network and get loopback addresses (IpAllocator).
 */
export interface PodNetwork {
  /** The pod's namespace and address (idempotent for a uid; a half-made attachment is redone). */
  setUp(pod: Pod): Promise<PodSandboxNetwork>;
  /** Release the address (CNI DEL) and remove the namespace; nothing when already gone. */
  tearDown(uid: string): Promise<void>;
  /** After recovery: tear down every pod namespace and address of this node not in `keepUids`. */
  reconcile(keepUids: Set<string>): Promise<void>;
  /** The path of a pod's namespace (whether or not it exists now). */
  netnsPathOf(uid: string): string;
  /** A TCP connection to host:port from inside the node's network (probes, port-forward). */
  dial(host: string, port: number, timeoutMs?: number): import('node:stream').Duplex;
  /** Env vars every pod of the node gets from the network (the egress proxy's, when it is on). */
  podEnv(): Record<string, string>;
}
