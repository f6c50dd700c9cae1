/**
 * Node pod CIDRs carved out of the cluster CIDR (pure; kube-controller-manager's cidrset):
 * subnet i of size /maskSize is the i-th block of the cluster CIDR.
 */

/** A parsed cluster CIDR and node mask size. */
export interface CidrSetOptions {
  /** e.g. 10.244.0.0/16. */
  clusterCIDR: string;
  /** Prefix length of each node's pod CIDR, e.g. 24. */
  nodeMaskSize: number;
}

function parse(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`cluster CIDR must be an IPv4 CIDR, not "${cidr}"`);
  const o = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (o.some((x) => x > 255) || bits > 32) throw new Error(`cluster CIDR must be an IPv4 CIDR, not "${cidr}"`);
  const addr = ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (addr & mask) >>> 0, bits };
}

const fmt = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** Validate the options; throws with a message naming the bad value. */
export function validateCidrSet(o: CidrSetOptions): void {
  const { bits } = parse(o.clusterCIDR);
  if (!Number.isInteger(o.nodeMaskSize) || o.nodeMaskSize < bits || o.nodeMaskSize > 30) {
    throw new Error(`node CIDR mask size must be between ${bits} and 30, not ${o.nodeMaskSize}`);
  }
}

/** How many node CIDRs the cluster CIDR holds. */
export function subnetCount(o: CidrSetOptions): number {
  return 2 ** (o.nodeMaskSize - parse(o.clusterCIDR).bits);
}

/** The i-th node CIDR. */
export function subnetAt(o: CidrSetOptions, i: number): string {
  const { base } = parse(o.clusterCIDR);
  return `${fmt((base + i * 2 ** (32 - o.nodeMaskSize)) >>> 0)}/${o.nodeMaskSize}`;
}

/**
 * The first node CIDR not in `used`, or undefined when every one is taken. Lowest first, so a
 * cluster's first node gets 10.244.0.0/24, the next 10.244.1.0/24 …
 */
export function nextFreeCidr(o: CidrSetOptions, used: ReadonlySet<string>): string | undefined {
  const n = subnetCount(o);
  for (let i = 0; i < n; i++) {
    const c = subnetAt(o, i);
    if (!used.has(c)) return c;
  }
  return undefined;
}
