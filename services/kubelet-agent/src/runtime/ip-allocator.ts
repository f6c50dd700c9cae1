/** IPv4 dotted quad → 32-bit unsigned number; undefined when malformed. */
export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** 32-bit unsigned number → IPv4 dotted quad. */
export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse `a.b.c.d/len` into its first and last address; throws a descriptive Error. */
export function parseCidr(cidr: string): { first: number; last: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const base = m ? ipToNumber(m[1] ?? '') : undefined;
  const len = m ? Number(m[2]) : NaN;
  if (base === undefined || !(len >= 0 && len <= 32)) throw new Error(`invalid podIPRange "${cidr}": expected an IPv4 CIDR such as 127.1.0.0/16`);
  const size = 2 ** (32 - len);
  const first = base - (base % size);
  return { first, last: first + size - 1 };
}

/** Addresses never handed out: the last octet is .0 (network), .255 (broadcast) or .1 (gateway-like). */
export function isReservedAddress(n: number): boolean {
  const last = n & 255;
  return last === 0 || last === 1 || last === 255;
}

/**
 * Hands out one IP per pod from a CIDR (on Linux every 127.0.0.0/8 address is bound to `lo`, so
 * each pod can listen on its own 127.x.y.z). Allocation is round-robin from the last address
 * handed out, so a freed address is reused only after the rest of the range was used — a late
 * connection to a dead pod does not land on its successor. Pure bookkeeping: persistence is the
 * runtime's (each pod's IP is saved in its state file and `reserve`d again on recovery).
 */
export class IpAllocator {
  private readonly first: number;
  private readonly last: number;
  private readonly byIp = new Map<number, string>();
  private readonly byOwner = new Map<string, number>();
  private cursor: number;

  /** `cidr` e.g. `127.1.0.0/16`; different agents on one machine use disjoint ranges. */
  constructor(readonly cidr: string) {
    const { first, last } = parseCidr(cidr);
    this.first = first;
    this.last = last;
    this.cursor = first - 1;
  }

  /** The owner's IP, allocating one when it has none; undefined when the range is exhausted. */
  allocate(owner: string): string | undefined {
    const have = this.byOwner.get(owner);
    if (have !== undefined) return numberToIp(have);
    const size = this.last - this.first + 1;
    for (let i = 1; i <= size; i++) {
      const n = this.first + ((this.cursor - this.first + i) % size);
      if (isReservedAddress(n) || this.byIp.has(n)) continue;
      this.cursor = n;
      this.byIp.set(n, owner);
      this.byOwner.set(owner, n);
      return numberToIp(n);
    }
    return undefined;
  }

  /**
   * Record an IP already in use (from a state file). Returns false when the IP is outside the
   * range, reserved, or held by another owner — the caller should then allocate a new one.
   */
  reserve(owner: string, ip: string): boolean {
    const n = ipToNumber(ip);
    if (n === undefined || n < this.first || n > this.last || isReservedAddress(n)) return false;
    const holder = this.byIp.get(n);
    if (holder !== undefined) return holder === owner;
    const old = this.byOwner.get(owner);
    if (old !== undefined) this.byIp.delete(old);
    this.byIp.set(n, owner);
    this.byOwner.set(owner, n);
    if (n > this.cursor) this.cursor = n;
    return true;
  }

  /** Free the owner's IP (no-op when it has none). */
  release(owner: string): void {
    const n = this.byOwner.get(owner);
    if (n === undefined) return;
    this.byOwner.delete(owner);
    this.byIp.delete(n);
  }

  /** The owner's IP, if allocated. */
  ipOf(owner: string): string | undefined {
    const n = this.byOwner.get(owner);
    return n === undefined ? undefined : numberToIp(n);
  }

  /** How many IPs are in use. */
  get size(): number {
    return this.byIp.size;
  }
}
