import type { Service } from '../types.js';
import { formatLabelsCell } from './cell-format.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow } from './table-types.js';

interface LoadBalancerIngress { ip?: string; hostname?: string }

function loadBalancerAddresses(svc: Service): string {
  const ingress = ((svc.status?.loadBalancer as { ingress?: LoadBalancerIngress[] } | undefined)?.ingress) ?? [];
  return [...new Set(ingress.map((i) => i.ip || i.hostname || '').filter(Boolean))].join(',');
}

/** EXTERNAL-IP as printers.go getServiceExternalIP (wide) computes it for each service type. */
export function serviceExternalIP(svc: Service): string {
  const externalIPs = (svc.spec?.externalIPs as string[] | undefined) ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return (svc.spec.externalName as string | undefined) ?? '';
  }
  return '<unknown>';
}

/** A Service row (printers.go printService): PORT(S) like `80/TCP,30080:443/TCP`. */
export function printService(svc: Service, now: Date): PrintedRow {
  const ports = (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
  return {
    cells: [
      svc.metadata.name ?? '', svc.spec?.type ?? '', svc.spec?.clusterIPs?.[0] ?? '<none>', serviceExternalIP(svc), ports || '<none>',
      translateTimestampSince(svc.metadata.creationTimestamp, now), formatLabelsCell(svc.spec?.selector),
    ],
  };
}

/** Service columns and printer. */
export const SERVICE_PRINTER: Printer<Service> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Type', 'string', D.svcType),
    column('Cluster-IP', 'string', D.svcClusterIP),
    column('External-IP', 'string', D.svcExternalIPs),
    column('Port(s)', 'string', D.svcPorts),
    column('Age', 'string', D.age),
    column('Selector', 'string', D.svcSelector, 1),
  ],
  print: printService,
};
