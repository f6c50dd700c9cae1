import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * The names of everything the pod network creates on the machine (pure). Each node's names come
 * from a hash of its root directory, the fabric's from a hash of the directory that holds the
 * nodes' directories, so two clusters (or test runs) on one machine never share a namespace,
 * link or address space:
 * ```
 * kjobs-<fabric key>-fab            the fabric namespace: joins the nodes of one cluster
 * kjobs-<node key>                  a node's namespace: its bridge cni0 and its pods' gateway
 * kjobs-<node key>-<pod uid>        one pod's namespace
 * k<node key>  (in the fabric)  ⇄  fab0  (in the node)      the node's veth pair
 * ```
 */
export interface NetworkNames {
  nodeKey: string;
  fabricKey: string;
  /** The node's namespace. */
  nodeNs: string;
  /** The cluster's fabric namespace. */
  fabricNs: string;
  /** The node's veth end inside the fabric namespace (at most 15 characters). */
  fabricLink: string;
  /** The node's veth end inside its own namespace. */
  nodeLink: string;
  /** The bridge the CNI bridge plugin attaches pods to (inside the node's namespace). */
  bridge: string;
  /** The prefix of this node's pod namespaces. */
  podNsPrefix: string;
}

const hash12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

/** The names of the node whose root directory is `rootDir` (the same key as OciLayout's). */
export function networkNames(rootDir: string, fabricScope = path.dirname(path.resolve(rootDir))): NetworkNames {
  const nodeKey = hash12(path.resolve(rootDir));
  const fabricKey = hash12(`fabric:${path.resolve(fabricScope)}`);
  return {
    nodeKey,
    fabricKey,
    nodeNs: `kjobs-${nodeKey}`,
    fabricNs: `kjobs-${fabricKey}-fab`,
    fabricLink: `k${nodeKey}`.slice(0, 15),
    nodeLink: 'fab0',
    bridge: 'cni0',
    podNsPrefix: `kjobs-${nodeKey}-`,
  };
}

/** The namespace of one pod. */
export function podNsName(n: NetworkNames, uid: string): string {
  return `${n.podNsPrefix}${uid}`;
}

/** The pod uid of a namespace name of this node, or undefined when it is not one. */
export function podUidOfNs(n: NetworkNames, ns: string): string | undefined {
  if (!ns.startsWith(n.podNsPrefix)) return undefined;
  const uid = ns.slice(n.podNsPrefix.length);
  return uid && uid !== 'fab' && /^[A-Za-z0-9-]+$/.test(uid) ? uid : undefined;
}

/** `a.b.c.d/n` parsed; throws on anything else. */
export function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const o = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (o.some((x) => x > 255) || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const addr = ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (addr & mask) >>> 0, bits };
}

/** Dotted quad of a 32-bit address. */
export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The gateway of a pod CIDR (its first address, as host-local gives it). */
export function gatewayOf(podCIDR: string): string {
  const c = parseCidr(podCIDR);
  return formatIp(c.base + 1);
}
