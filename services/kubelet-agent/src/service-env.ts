import { formatLabelSelector, labelSelectorToRequirements, matchesLabels, type Pod, type Service } from '@kjobs/api';
import type { ApiClient, Informer } from '@kjobs/client';
import { serviceEnvVars } from './runtime/index.js';

/**
 * Service env vars for a new pod: every Service of its namespace (from the Service informer,
 * indexed by `namespace`), with SERVICE_HOST set to a running backing pod's IP (pods here are
 * local processes; there is no kube-proxy), else the Service's ClusterIP.
 */
export async function serviceEnvOf(client: ApiClient, services: Informer<Service>, pod: Pod): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const inNs = services.byIndex('namespace', ns);
  if (!inNs.length) return {};
  const ips = new Map<string, string | undefined>();
  for (const svc of inNs) {
    const sel = svc.spec.selector;
    if (!sel || !Object.keys(sel).length) continue;
    const reqs = labelSelectorToRequirements({ matchLabels: sel });
    const backing = (await client.list<Pod>('Pod', { namespace: ns, labelSelector: formatLabelSelector(reqs) }).catch(() => ({ items: [] as Pod[] }))).items
      .filter((p) => matchesLabels(reqs, p.metadata.labels) && p.status?.podIP && p.status.phase === 'Running');
    ips.set(svc.metadata.name!, backing[0]?.status?.podIP);
  }
  return serviceEnvVars(inNs, (svc) => ips.get(svc.metadata.name!) ?? (typeof svc.spec.clusterIP === 'string' ? svc.spec.clusterIP : undefined));
}
