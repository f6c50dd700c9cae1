import path from 'node:path';
import { isExecutable, onPath } from '../runtime/native-build.js';
import { DEFAULT_CNI_BIN_DIR } from './cni.js';

/**
 * Why this machine cannot give pods a network of their own, or undefined when it can: it needs
 * Linux, root (namespaces), iproute2's `ip`, and the CNI plugins bridge, host-local and loopback.
 */
export function podNetworkUnavailable(cniBinDir = DEFAULT_CNI_BIN_DIR, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform !== 'linux') return 'a pod network needs Linux';
  if (process.getuid?.() !== 0) return 'a pod network needs root (network namespaces)';
  if (!onPath('ip', env)) return 'iproute2 (ip) was not found';
  for (const p of ['bridge', 'host-local', 'loopback']) {
    if (!isExecutable(path.join(cniBinDir, p))) return `the CNI plugin ${p} was not found in ${cniBinDir} (install containernetworking-plugins)`;
  }
  return undefined;
}
