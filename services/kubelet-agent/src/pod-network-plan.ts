import type { Node } from '@kjobs/api';
import { getIfExists, type ApiClient } from '@kjobs/client';
import { DeferredPodNetwork, NodeNetwork, networkNames, nsDialBinary, podNetworkUnavailable, podNsName } from './network/index.js';
import type { Logger } from './runtime/index.js';
import { HostGwRouteSync } from './host-gw-routes.js';

/** `--pod-network` / KJOBS_POD_NETWORK: `on` (fail without it), `off`, or `auto` (on wherever the machine allows it, for both runtimes). */
export type PodNetworkChoice = 'on' | 'off' | 'auto';

/** The annotation on the Node saying which network its pods get. */
export const POD_NETWORK_ANNOTATION = 'kjobs.io/pod-network';

/**
 * The node's pod network from decision to teardown: `network` is what the runtime is given (a
 * stand-in until the Node has its pod CIDR), `description` goes on the Node.
 */
export class PodNetworkPlan {
  readonly network: DeferredPodNetwork | undefined;
  private node: NodeNetwork | undefined;
  private routes: HostGwRouteSync | undefined;

  private constructor(readonly description: string, private readonly rootDir: string, private readonly log: Logger, on: boolean) {
    const names = networkNames(rootDir);
    this.network = on ? new DeferredPodNetwork((uid) => `/run/netns/${podNsName(names, uid)}`) : undefined;
  }

  /**
   * Decide: `auto` turns the network on, for containers and processes alike, when the machine
   * allows it (root, ip, the CNI plugins); where it does not, pods keep loopback addresses and
   * the Node says why. `on` where the machine cannot: an error.
   */
  static decide(choice: PodNetworkChoice, o: { rootDir: string; log: Logger }): PodNetworkPlan {
    const why = choice === 'off' ? 'turned off (KJOBS_POD_NETWORK=off)' : podNetworkUnavailable();
    if (choice === 'on' && why) throw new Error(`KJOBS_POD_NETWORK=on: ${why}`);
    const on = !why;
    const desc = on ? 'cni' : `loopback: ${why}`;
    return new PodNetworkPlan(desc, o.rootDir, o.log, on);
  }

  /**
   * Once the Node is registered: wait for its pod CIDR (the job-controller's node IPAM), build
   * the node's network on it and hand it to the runtime. Gives up waiting after `timeoutMs`
   * (pods wait for their sandbox meanwhile) and goes on trying in the background.
   */
  async connect(o: { client: ApiClient; nodeName: string; clusterCIDR: string; hostNetns?: string; egress?: { allowLoopback: boolean }; timeoutMs: number; isStopped(): boolean }): Promise<void> {
    if (!this.network) return;
    const nsDial = await nsDialBinary(this.log);
    if (!nsDial) throw new Error('the pod network needs kjobs-nsdial (a C compiler, or KJOBS_NSDIAL)');
    const attempt = async (): Promise<boolean> => {
      const cidr = await podCIDROf(o.client, o.nodeName);
      if (!cidr) return false;
      const node = await NodeNetwork.create({ rootDir: this.rootDir, podCIDR: cidr, clusterCIDR: o.clusterCIDR, nsDial, logger: this.log, ...(o.hostNetns ? { hostNetns: o.hostNetns } : {}), ...(o.egress ? { egress: o.egress } : {}) });
      this.node = node;
      this.network!.attach(node);
      if (node.hostGw) {
        this.routes = new HostGwRouteSync(o.client, o.nodeName, (r) => node.setPeerRoutes(r), this.log);
        await this.routes.start();
      }
      this.log.info({ podCIDR: cidr, netns: node.names.nodeNs, ...(node.hostGw ? { mode: 'host-gw' } : { fabric: node.names.fabricNs }) }, 'pod network ready');
      return true;
    };
    const until = Date.now() + o.timeoutMs;
    while (!o.isStopped()) {
      if (await attempt()) return;
      if (Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    this.log.warn({ node: o.nodeName }, 'no pod CIDR yet: pods wait for their network');
    const retry = setInterval(() => {
      if (o.isStopped() || this.node) return clearInterval(retry);
      void attempt().then((ok) => ok && clearInterval(retry), (err: Error) => this.log.warn({ err: err.message }, 'pod network setup failed'));
    }, 1000);
    retry.unref();
  }

  /** The node shuts down (its pods are gone): remove the node's network. */
  async shutdown(): Promise<void> {
    this.routes?.stop();
    await this.node?.shutdown();
  }
}

async function podCIDROf(client: ApiClient, name: string): Promise<string | undefined> {
  return (await getIfExists<Node>(client, 'Node', '', name))?.spec?.podCIDR || undefined;
}
