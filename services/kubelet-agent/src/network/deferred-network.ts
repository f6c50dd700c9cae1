import type { Duplex } from 'node:stream';
import type { Pod } from '@kjobs/api';
import type { PodNetwork, PodSandboxNetwork } from '../runtime/pod-network.js';

/**
 * The pod network before the node has its pod CIDR: the runtime is built (and recovers) before
 * the Node is registered and given a CIDR, so it gets this stand-in, which the agent points at
 * the real network once it exists. Until then pods wait (their sandbox cannot be made) and
 * nothing is reconciled away.
 */
export class DeferredPodNetwork implements PodNetwork {
  private net: PodNetwork | undefined;

  constructor(private readonly pathOf: (uid: string) => string) {}

  /** The network is ready. */
  attach(net: PodNetwork): void {
    this.net = net;
  }

  get ready(): boolean {
    return this.net !== undefined;
  }

  setUp(pod: Pod): Promise<PodSandboxNetwork> {
    if (!this.net) return Promise.reject(new Error('the node has no pod CIDR yet (is the job-controller running?)'));
    return this.net.setUp(pod);
  }

  async tearDown(uid: string): Promise<void> {
    await this.net?.tearDown(uid);
  }

  async reconcile(keepUids: Set<string>): Promise<void> {
    await this.net?.reconcile(keepUids);
  }

  netnsPathOf(uid: string): string {
    return this.net?.netnsPathOf(uid) ?? this.pathOf(uid);
  }

  podEnv(): Record<string, string> {
    return this.net?.podEnv() ?? {};
  }

  dial(host: string, port: number, timeoutMs?: number): Duplex {
    if (!this.net) throw new Error('the pod network is not ready');
    return this.net.dial(host, port, timeoutMs);
  }
}
