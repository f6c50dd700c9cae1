import type { Node } from '@kjobs/api';
import { Informer, type ApiClient } from '@kjobs/client';
import type { Logger } from './runtime/index.js';

/** One route host-gw wants: a node's pod CIDR via its address. */
export interface PeerRoute {
  podCIDR: string;
  nodeIP: string;
}

/**
 * The host-gw routes of a set of Nodes (pure): every Node with a `spec.podCIDR` and an
 * `InternalIP` outside 127.0.0.0/8 (a loopback address routes nowhere off its machine), except
 * `self`. Sorted by pod CIDR.
 */
export function peerRoutes(nodes: Node[], self: string): PeerRoute[] {
  const out: PeerRoute[] = [];
  for (const n of nodes) {
    const podCIDR = n.spec?.podCIDR;
    const nodeIP = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (n.metadata.name === self || !podCIDR || !nodeIP || nodeIP.startsWith('127.')) continue;
    out.push({ podCIDR, nodeIP });
  }
  return out.sort((a, b) => a.podCIDR.localeCompare(b.podCIDR));
}

/**
 * Keeps host-gw routes current (flannel's host-gw, from Nodes instead of its subnet leases):
 * watches Nodes and hands the whole wanted set to `apply` after every change, one call at a
 * time (a change during a call runs once more after it).
 */
export class HostGwRouteSync {
  private readonly nodes: Informer<Node>;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(client: ApiClient, private readonly self: string, private readonly apply: (routes: PeerRoute[]) => Promise<void>, private readonly log: Logger) {
    this.nodes = new Informer<Node>(client, 'Node', { onError: (e) => log.warn({ err: e }, 'node informer (host-gw)') });
    const kick = () => this.kick();
    this.nodes.on({ add: kick, update: kick, delete: kick });
  }

  async start(): Promise<void> {
    await this.nodes.start();
    this.kick();
  }

  stop(): void {
    this.nodes.stop();
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.apply(peerRoutes(this.nodes.list(), this.self)).catch((e: Error) => this.log.warn({ err: e.message }, 'host-gw routes'));
      } while (this.again);
      this.running = undefined;
    })();
  }
}
