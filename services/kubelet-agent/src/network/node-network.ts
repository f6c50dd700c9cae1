import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pod } from '@kjobs/api';
import type { Logger } from '../runtime/logger.js';
import type { PodNetwork, PodSandboxNetwork } from '../runtime/pod-network.js';
import { type CniConfList, type CniRunner, DEFAULT_CNI_BIN_DIR, loopbackConfList, podNetworkConfList, resultIPv4, runConfList } from './cni.js';
import { deleteNetns, ensureNetns, ip, ipTolerant, linkNames, listNetns, netnsPath, nsSysctl } from './ip.js';
import { type NetworkNames, gatewayOf, networkNames, parseCidr, podNsName, podUidOfNs } from './names.js';
import { EgressProxy, egressProxyEnv } from './egress-proxy.js';
import { NsSocket } from './ns-dial.js';

/** Options of a NodeNetwork; every optional field names its default. */
export interface NodeNetworkOptions {
  /** The node's root directory: names its namespaces (names.ts); CNI files go under `<rootDir>/cni`. */
  rootDir: string;
  /** The node's pod CIDR (`spec.podCIDR`, from the node-IPAM controller). */
  podCIDR: string;
  /** Every node's pods are in here (routed through the fabric). Default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** The kjobs-nsdial helper (nsDialBinary). */
  nsDial: string;
  /** The CNI plugins. Default /usr/lib/cni. */
  cniBinDir?: string;
  /** The nodes sharing this directory share a fabric. Default the parent of rootDir. */
  fabricScope?: string;
  /**
   * Host-gw mode: the node's network lives in this existing named namespace (one a harness or the
   * operator made, never the host's own: refused when it is the init namespace) instead of a
   * kjobs namespace joined to a fabric; other nodes' pod CIDRs are routed to their InternalIPs
   * there (`setPeerRoutes`), as flannel's host-gw does. Default none (fabric mode).
   */
  hostNetns?: string;
  /** Egress for pods through the node's proxy (egress-proxy.ts). Default none. */
  egress?: { allowLoopback: boolean };
  logger: Logger;
}

/** The node side and the fabric side of every node's veth pair (link-local, the same on every node). */
const NODE_LINK_IP = '169.254.0.2';
const FABRIC_LINK_IP = '169.254.0.1';
const POD_IFNAME = 'eth0';

/**
 * A node's pod network on one machine, made only of namespaces it creates (see README "Pod
 * network"):
 * ```
 *   pod ns (eth0 10.244.N.x) ─veth─┐
 *                                 cni0 10.244.N.1 ── node ns kjobs-<node> ── fab0 ─veth─ k<node> ── fabric ns ── k<other> ── other node ns …
 * ```
 * The node's namespace routes the cluster CIDR to the fabric; the fabric routes each node's pod
 * CIDR to that node. The host's interfaces, routes, sysctls and firewall are never touched; the
 * only sysctls set (ip_forward, rp_filter) are those of these namespaces.
 */
export class NodeNetwork implements PodNetwork {
  readonly names: NetworkNames;
  private readonly runner: CniRunner;
  private readonly conf: CniConfList;
  private readonly loopback = loopbackConfList();
  private egress: EgressProxy | undefined;
  /** Host-gw routes this node installed: pod CIDR → next hop. */
  private readonly peerRoutes = new Map<string, string>();

  private constructor(private readonly o: NodeNetworkOptions) {
    const names = networkNames(o.rootDir, o.fabricScope);
    this.names = o.hostNetns ? { ...names, nodeNs: o.hostNetns } : names;
    this.runner = { binDir: o.cniBinDir ?? DEFAULT_CNI_BIN_DIR, runInNs: this.names.nodeNs };
    this.conf = podNetworkConfList({ podCIDR: o.podCIDR, gateway: gatewayOf(o.podCIDR), bridge: this.names.bridge, dataDir: this.ipamDir });
  }

  /** The node's CNI directory: its conf list and host-local's address files. */
  get cniDir(): string {
    return path.join(this.o.rootDir, 'cni');
  }
  get ipamDir(): string {
    return path.join(this.cniDir, 'ipam');
  }
  private get resultsDir(): string {
    return path.join(this.cniDir, 'results');
  }
  private resultFile(uid: string): string {
    return path.join(this.resultsDir, `${uid}.json`);
  }

  /**
   * Make (or re-check) the node's network. Does: 1. the fabric namespace (shared by the
   * cluster's nodes; the first node makes it); 2. the node's namespace with forwarding on;
   * 3. the veth pair between them with link-local addresses; 4. the bridge with the pod CIDR's
   * gateway; 5. routes both ways; 6. the conf list file (for people and tools reading it).
   */
  static async create(o: NodeNetworkOptions): Promise<NodeNetwork> {
    const n = new NodeNetwork(o);
    await n.ensureNode();
    if (o.egress) {
      n.egress = await EgressProxy.start({
        socketPath: path.join(o.rootDir, 'egress.sock'), netnsPath: netnsPath(n.names.nodeNs), gateway: gatewayOf(o.podCIDR),
        clusterCIDR: n.clusterCIDR, allowLoopback: o.egress.allowLoopback, nsDial: o.nsDial, logger: o.logger,
        dialPodNetwork: (host, port, timeoutMs) => n.dial(host, port, timeoutMs),
      });
    }
    return n;
  }

  private get clusterCIDR(): string {
    return this.o.clusterCIDR ?? '10.244.0.0/16';
  }

  /** Whether other nodes are reached by host-gw routes (hostNetns) rather than the machine's fabric. */
  get hostGw(): boolean {
    return !!this.o.hostNetns;
  }

  private async ensureNode(): Promise<void> {
    if (this.o.hostNetns) return this.ensureHostGwNode(this.o.hostNetns);
    const { fabricNs, nodeNs, fabricLink, nodeLink, bridge } = this.names;
    const clusterCIDR = this.clusterCIDR;
    parseCidr(clusterCIDR);
    const { bits } = parseCidr(this.o.podCIDR);
    const gateway = gatewayOf(this.o.podCIDR);
    const forwarding = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 };
    await ensureNetns(fabricNs);
    await nsSysctl(fabricNs, forwarding);
    await ensureNetns(nodeNs);
    await nsSysctl(nodeNs, forwarding);
    if (!(await linkNames(nodeNs)).includes(nodeLink)) {
      // Made inside the node's namespace with its peer put straight into the fabric: neither end is ever on the host.
      await ip('-n', nodeNs, 'link', 'add', nodeLink, 'type', 'veth', 'peer', 'name', fabricLink, 'netns', fabricNs);
    }
    await ip('-n', nodeNs, 'addr', 'replace', `${NODE_LINK_IP}/32`, 'peer', `${FABRIC_LINK_IP}/32`, 'dev', nodeLink);
    await ip('-n', fabricNs, 'addr', 'replace', `${FABRIC_LINK_IP}/32`, 'dev', fabricLink);
    await ip('-n', nodeNs, 'link', 'set', nodeLink, 'up');
    await ip('-n', fabricNs, 'link', 'set', fabricLink, 'up');
    // A fixed address: a bridge otherwise takes its lowest port's, which changes as pods come and go (and CNI CHECK compares it).
    if (!(await linkNames(nodeNs)).includes(bridge)) await ipTolerant('-n', nodeNs, 'link', 'add', bridge, 'address', bridgeMac(this.names.nodeKey), 'type', 'bridge');
    // The bridge plugin makes the bridge too, but the node needs the gateway address before the first pod: it is the source of the node's own connections.
    await ip('-n', nodeNs, 'addr', 'replace', `${gateway}/${bits}`, 'dev', bridge);
    await ip('-n', nodeNs, 'link', 'set', bridge, 'up');
    await ip('-n', nodeNs, 'route', 'replace', clusterCIDR, 'via', FABRIC_LINK_IP, 'dev', nodeLink, 'onlink', 'src', gateway);
    await ip('-n', fabricNs, 'route', 'replace', this.o.podCIDR, 'via', NODE_LINK_IP, 'dev', fabricLink, 'onlink');
    await mkdir(this.ipamDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(this.cniDir, '10-kjobs.conflist'), JSON.stringify(this.conf, null, 2));
  }

  /**
   * Host-gw: the node's bridge and gateway in the given namespace, forwarding on there; no fabric.
   * Refuses the machine's own namespace, so the host's routes and sysctls are never touched.
   */
  private async ensureHostGwNode(ns: string): Promise<void> {
    if (!(await listNetns()).includes(ns)) throw new Error(`KJOBS_NODE_NETNS: no network namespace named ${ns}`);
    if (await isInitNetns(netnsPath(ns))) throw new Error(`KJOBS_NODE_NETNS: ${ns} is the machine's own network namespace; kjobs changes only namespaces made for it`);
    const { bridge } = this.names;
    const { bits } = parseCidr(this.o.podCIDR);
    await nsSysctl(ns, { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
    if (!(await linkNames(ns)).includes(bridge)) await ipTolerant('-n', ns, 'link', 'add', bridge, 'address', bridgeMac(this.names.nodeKey), 'type', 'bridge');
    await ip('-n', ns, 'addr', 'replace', `${gatewayOf(this.o.podCIDR)}/${bits}`, 'dev', bridge);
    await ip('-n', ns, 'link', 'set', bridge, 'up');
    await mkdir(this.ipamDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(this.cniDir, '10-kjobs.conflist'), JSON.stringify(this.conf, null, 2));
  }

  /**
   * Host-gw: route each peer's pod CIDR to its node address inside the node's namespace, and
   * remove the routes of peers that are gone (or moved). Nothing in fabric mode (the fabric
   * routes). Idempotent: call it with the whole current set on every Node change.
   */
  async setPeerRoutes(peers: { podCIDR: string; nodeIP: string }[]): Promise<void> {
    if (!this.o.hostNetns) return;
    const ns = this.o.hostNetns;
    const want = new Map(peers.filter((p) => p.podCIDR !== this.o.podCIDR).map((p) => [p.podCIDR, p.nodeIP]));
    for (const [cidr, via] of want) {
      if (this.peerRoutes.get(cidr) === via) continue;
      await ip('-n', ns, 'route', 'replace', cidr, 'via', via);
      this.peerRoutes.set(cidr, via);
      this.o.logger.info({ podCIDR: cidr, via }, 'host-gw route');
    }
    for (const cidr of [...this.peerRoutes.keys()]) {
      if (want.has(cidr)) continue;
      await ipTolerant('-n', ns, 'route', 'del', cidr);
      this.peerRoutes.delete(cidr);
      this.o.logger.info({ podCIDR: cidr }, 'host-gw route removed');
    }
  }

  netnsPathOf(uid: string): string {
    return netnsPath(podNsName(this.names, uid));
  }

  /**
   * The pod's namespace and address. Does: 1. a namespace left from an attempt that did not
   * finish is taken down first; 2. the namespace; 3. CNI ADD of loopback, then of the pod
   * network (bridge + host-local); on failure what was made is taken down again.
   */
  async setUp(pod: Pod): Promise<PodSandboxNetwork> {
    const uid = pod.metadata.uid ?? '';
    const ns = podNsName(this.names, uid);
    if ((await listNetns()).includes(ns)) await this.tearDown(uid);
    await ensureNetns(ns, { loopbackUp: false });
    const att = { containerId: uid, netns: ns, ifName: POD_IFNAME };
    try {
      // The loopback plugin brings `lo` up.
      await runConfList({ binDir: this.runner.binDir }, 'ADD', this.loopback, { ...att, ifName: 'lo' });
      const result = await runConfList(this.runner, 'ADD', this.conf, att);
      const podIP = resultIPv4(result);
      if (!podIP) throw new Error('the CNI result has no IPv4 address');
      // Kept as libcni keeps it: CHECK and DEL get the ADD result as prevResult.
      await mkdir(this.resultsDir, { recursive: true });
      await writeFile(this.resultFile(uid), JSON.stringify(result));
      return { podIP, netnsPath: netnsPath(ns) };
    } catch (err) {
      await this.tearDown(uid).catch(() => undefined);
      throw err;
    }
  }

  /** CNI CHECK of a pod's attachment (throws CniError when it is broken). */
  async check(uid: string): Promise<void> {
    const ns = podNsName(this.names, uid);
    const att = { containerId: uid, netns: ns, ifName: POD_IFNAME };
    const prev = JSON.parse(await readFile(this.resultFile(uid), 'utf8')) as unknown;
    await runConfList(this.runner, 'CHECK', this.conf, att, prev);
  }

  /** CNI DEL (releases the address even when the namespace is gone), then the namespace. */
  async tearDown(uid: string): Promise<void> {
    const ns = podNsName(this.names, uid);
    const att = { containerId: uid, netns: ns, ifName: POD_IFNAME };
    const prev = await readFile(this.resultFile(uid), 'utf8').then((t) => JSON.parse(t) as unknown, () => undefined);
    try {
      await runConfList(this.runner, 'DEL', this.conf, att, prev);
    } catch (err) {
      this.o.logger.warn({ uid, err: (err as Error).message }, 'CNI DEL failed');
    }
    await deleteNetns(ns);
    await rm(this.resultFile(uid), { force: true });
  }

  /** Tear down the namespaces and addresses of pods not in `keepUids` (after a restart). */
  async reconcile(keepUids: Set<string>): Promise<void> {
    const uids = new Set<string>();
    for (const ns of await listNetns()) {
      const uid = podUidOfNs(this.names, ns);
      if (uid) uids.add(uid);
    }
    for (const uid of await this.ipamOwners()) uids.add(uid);
    for (const uid of uids) {
      if (keepUids.has(uid)) continue;
      this.o.logger.info({ uid }, 'removing the network of a pod this node no longer runs');
      await this.tearDown(uid);
    }
  }

  podEnv(): Record<string, string> {
    return this.egress ? egressProxyEnv(gatewayOf(this.o.podCIDR), this.clusterCIDR) : {};
  }

  dial(host: string, port: number, timeoutMs?: number): NsSocket {
    return new NsSocket(this.o.nsDial, netnsPath(this.names.nodeNs), host, port, timeoutMs);
  }

  /**
   * The node goes away (after every pod was removed): pod namespaces left, the node's namespace
   * (its veth pair goes with it), the CNI directory; the fabric namespace with the last node.
   */
  async shutdown(): Promise<void> {
    await this.egress?.close();
    await this.reconcile(new Set());
    if (this.o.hostNetns) {
      // Not kjobs' namespace: take back only what the node put there.
      await this.setPeerRoutes([]);
      await ipTolerant('-n', this.o.hostNetns, 'link', 'del', this.names.bridge);
      await rm(this.cniDir, { recursive: true, force: true });
      return;
    }
    // Explicitly: a deleted namespace's links go asynchronously, and the fabric check below must not see this node's.
    await ipTolerant('-n', this.names.fabricNs, 'link', 'del', this.names.fabricLink);
    await deleteNetns(this.names.nodeNs);
    await rm(this.cniDir, { recursive: true, force: true });
    const left = (await linkNames(this.names.fabricNs)).filter((l) => l !== 'lo');
    // Another node of the cluster still uses the fabric when its veth is there.
    if (!left.length) await deleteNetns(this.names.fabricNs);
  }

  /** Pod uids holding an address in host-local's files (`<dataDir>/kjobs/<ip>`: "<container id>\n<ifname>"). */
  private async ipamOwners(): Promise<string[]> {
    const dir = path.join(this.ipamDir, this.conf.name);
    const out: string[] = [];
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(f)) continue;
      const id = (await readFile(path.join(dir, f), 'utf8').catch(() => '')).split(/\r?\n/)[0]?.trim();
      if (id && /^[A-Za-z0-9-]+$/.test(id)) out.push(id);
    }
    return out;
  }

}

/**
 * Whether the namespace at `nsPath` is the machine's own (that of pid 1). Where pid 1's cannot be
 * read (a container whose pid 1 is another user's) a named namespace counts as made for kjobs:
 * the machine's own is named only by someone binding it there on purpose.
 */
async function isInitNetns(nsPath: string): Promise<boolean> {
  const init = await stat('/proc/1/ns/net').catch(() => undefined);
  if (!init) return false;
  const ns = await stat(nsPath);
  return ns.ino === init.ino && ns.dev === init.dev;
}

/** A locally administered unicast MAC address from the node key. */
function bridgeMac(nodeKey: string): string {
  return `02:${nodeKey.slice(0, 10).match(/../g)!.join(':')}`;
}
