import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Pod } from '@kjobs/api';

/** One name-to-address line of a pod's /etc/hosts. */
export interface HostEntry {
  ip: string;
  hostname: string;
}

/**
 * A pod's /etc/hosts on the pod network (pure): localhost, the pod's own name and, for a pod with
 * `spec.subdomain`, every pod of its namespace with the same subdomain under the names cluster
 * DNS would give them — `<hostname>.<subdomain>.<ns>.svc.<domain>` and `<hostname>.<subdomain>` —
 * so an Indexed Job's pods reach each other as `<job>-<index>.<subdomain>` (kjobs has no cluster
 * DNS: the kubelet-agent keeps this file current instead).
 */
export function podHostsFile(self: { podIP: string; hostname: string; subdomain?: string; namespace: string }, peers: HostEntry[], clusterDomain = 'cluster.local'): string {
  const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const names = (h: string) => (self.subdomain ? [`${h}.${self.subdomain}.${self.namespace}.svc.${clusterDomain}`, `${h}.${self.subdomain}`, h] : [h]);
  lines.push(`${self.podIP}\t${names(self.hostname).join('\t')}`);
  const seen = new Set([self.hostname]);
  for (const p of [...peers].sort((a, b) => a.hostname.localeCompare(b.hostname))) {
    if (!self.subdomain || seen.has(p.hostname)) continue;
    seen.add(p.hostname);
    lines.push(`${p.ip}\t${names(p.hostname).slice(0, 2).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The peers of a pod: pods of `pods` with the same subdomain and an address. */
export function subdomainPeers(self: Pod, pods: Pod[]): HostEntry[] {
  const sub = self.spec.subdomain;
  if (!sub) return [];
  return pods
    .filter((p) => p.metadata.uid !== self.metadata.uid && p.spec.subdomain === sub && p.status?.podIP && !p.metadata.deletionTimestamp)
    .map((p) => ({ ip: p.status!.podIP!, hostname: p.spec.hostname ?? p.metadata.name! }));
}

/**
 * Rewrite a pod's hosts file when its content changed. In place (same inode): the file is
 * bind-mounted into the pod's containers, and a rename would leave them the old one. Nothing when
 * the file does not exist (no container has been prepared yet).
 */
export function updateHostsFile(file: string, content: string): boolean {
  if (!existsSync(file)) return false;
  if (readFileSync(file, 'utf8') === content) return false;
  writeFileSync(file, content);
  return true;
}
