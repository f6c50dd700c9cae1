import { spawn } from 'node:child_process';
import path from 'node:path';
import { netnsPath } from './ip.js';

/** Where Debian's containernetworking-plugins installs the plugins. */
export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';
const CNI_VERSION = '1.0.0';

/** A network configuration list (the CNI spec's `.conflist`). */
export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

/**
 * The node's pod network (pure): the `bridge` plugin on `bridge`, gateway the CIDR's first
 * address, addresses from `host-local` over the node's pod CIDR (its files in `dataDir`), a
 * default route through the gateway. No masquerade: nothing in the node's namespace leads
 * outside, so there is nothing to NAT to.
 */
export function podNetworkConfList(o: { podCIDR: string; gateway: string; bridge: string; dataDir: string }): CniConfList {
  return {
    cniVersion: CNI_VERSION,
    name: 'kjobs',
    plugins: [{
      type: 'bridge', bridge: o.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: o.podCIDR, gateway: o.gateway }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: o.dataDir },
    }],
  };
}

/** The loopback network every pod gets first (brings `lo` up in the pod's namespace). */
export function loopbackConfList(): CniConfList {
  return { cniVersion: CNI_VERSION, name: 'cni-loopback', plugins: [{ type: 'loopback' }] };
}

/** A CNI plugin's error result (`{ code, msg, details }`). */
export class CniError extends Error {
  constructor(readonly command: string, readonly plugin: string, readonly code: number, msg: string) {
    super(`plugin type="${plugin}" failed (${command.toLowerCase()}): ${msg}`);
    this.name = 'CniError';
  }
}

/** What runs the plugins: their directory, and the namespace they run in (so their bridge is made there, off the host). */
export interface CniRunner {
  binDir: string;
  /** The namespace the plugins run in (`ip netns exec`); undefined: the agent's own. */
  runInNs?: string;
}

/** One container attachment: who, which namespace, which interface. */
export interface CniAttachment {
  containerId: string;
  /** The pod namespace's name (under /run/netns). */
  netns: string;
  ifName: string;
}

/**
 * Run a conf list as libcni does. ADD: each plugin in order, each given the previous one's
 * result; returns the last result. DEL: in reverse order. CHECK: in order, with the ADD result.
 */
export async function runConfList(r: CniRunner, command: 'ADD' | 'DEL' | 'CHECK', list: CniConfList, a: CniAttachment, prevResult?: unknown): Promise<Record<string, unknown> | undefined> {
  const plugins = command === 'DEL' ? [...list.plugins].reverse() : list.plugins;
  let result: Record<string, unknown> | undefined = prevResult as Record<string, unknown> | undefined;
  for (const p of plugins) {
    const conf = { ...p, cniVersion: list.cniVersion, name: list.name, ...(result ? { prevResult: result } : {}) };
    const out = await execPlugin(r, command, String(p.type), conf, a);
    if (command === 'ADD') result = out;
  }
  return result;
}

/** The first IPv4 address of an ADD result (`ips[0].address` without its prefix length). */
export function resultIPv4(result: Record<string, unknown> | undefined): string | undefined {
  const ips = (result?.ips ?? []) as { address?: string }[];
  const a = ips.find((i) => i.address && !i.address.includes(':'))?.address;
  return a?.split('/')[0];
}

function execPlugin(r: CniRunner, command: string, type: string, conf: unknown, a: CniAttachment): Promise<Record<string, unknown> | undefined> {
  if (!/^[a-z0-9-]+$/.test(type)) return Promise.reject(new CniError(command, type, 1, 'bad plugin type'));
  const bin = path.join(r.binDir, type);
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CNI_COMMAND: command, CNI_CONTAINERID: a.containerId, CNI_NETNS: netnsPath(a.netns), CNI_IFNAME: a.ifName, CNI_PATH: r.binDir };
  const [cmd, ...args] = r.runInNs ? ['ip', 'netns', 'exec', r.runInNs, bin] : [bin];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', (e) => reject(new CniError(command, type, 1, e.message)));
    child.on('close', (code) => {
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = out.trim() ? (JSON.parse(out) as Record<string, unknown>) : undefined;
      } catch {
        parsed = undefined;
      }
      if (code === 0) return resolve(parsed);
      reject(new CniError(command, type, Number(parsed?.code ?? code), String(parsed?.msg ?? (err.trim() || out.trim() || `exit ${code}`))));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(conf));
  });
}
