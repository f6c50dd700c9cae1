import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isExecutable, onPath } from '../runtime/native-build.js';
import { DEFAULT_CNI_BIN_DIR } from './cni.js';

/** What the checks read of this process (injected for tests). */
export interface HostFacts {
  /** /proc/self/status (for CapEff). */
  status: string;
  /** /proc/self/mountinfo (for how /proc/sys is mounted). */
  mountinfo: string;
  /** The process's user id. */
  uid: number | undefined;
}

function readHostFacts(): HostFacts {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return { status: read('/proc/self/status'), mountinfo: read('/proc/self/mountinfo'), uid: process.getuid?.() };
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

/**
 * Why this machine cannot give pods a network of their own, or undefined when it can: it needs
 * Linux, root with CAP_NET_ADMIN and CAP_SYS_ADMIN (namespaces, veths, the bind mounts under
 * /run/netns), a writable /proc/sys (each node namespace's ip_forward and rp_filter; a container
 * usually has it read-only), iproute2's `ip`, and the CNI plugins bridge, host-local and loopback.
 */
export function podNetworkUnavailable(cniBinDir = DEFAULT_CNI_BIN_DIR, env: NodeJS.ProcessEnv = process.env, facts: HostFacts = readHostFacts()): string | undefined {
  if (process.platform !== 'linux') return 'a pod network needs Linux';
  if (facts.uid !== 0) return 'a pod network needs root (network namespaces)';
  const caps = /^CapEff:\s*([0-9a-f]+)$/m.exec(facts.status)?.[1];
  if (caps !== undefined) {
    const eff = BigInt(`0x${caps}`);
    for (const [bit, name] of [[CAP_NET_ADMIN, 'CAP_NET_ADMIN'], [CAP_SYS_ADMIN, 'CAP_SYS_ADMIN']] as const) {
      if (!((eff >> bit) & 1n)) return `a pod network needs ${name} (this process does not have it)`;
    }
  }
  if (procSysReadOnly(facts.mountinfo)) return '/proc/sys is mounted read-only here (as in a container), so the node namespace\'s sysctls cannot be set';
  if (!onPath('ip', env)) return 'iproute2 (ip) was not found';
  for (const p of ['bridge', 'host-local', 'loopback']) {
    if (!isExecutable(path.join(cniBinDir, p))) return `the CNI plugin ${p} was not found in ${cniBinDir} (install containernetworking-plugins)`;
  }
  return undefined;
}

/** True when the mount that holds /proc/sys (the last one mounted there or above it) is read-only. */
export function procSysReadOnly(mountinfo: string): boolean {
  let best: { point: string; ro: boolean } | undefined;
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point options ...
    const f = line.split(' ');
    const point = f[4];
    const options = f[5];
    if (!point || !options) continue;
    const covers = point === '/proc/sys' || point === '/proc' || point === '/';
    if (!covers) continue;
    // Later lines are mounted over earlier ones; the longest mount point is the nearest.
    if (!best || point.length >= best.point.length) best = { point, ro: options.split(',').includes('ro') };
  }
  return best?.ro ?? false;
}
