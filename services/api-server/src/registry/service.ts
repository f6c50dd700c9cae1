import type { KObject } from '@kjobs/api';
import { defineStrategy } from './strategy.js';

/** Services: a new Service without one gets a ClusterIP (the allocator of pkg/registry/core/service). */
export const serviceStrategy = defineStrategy('Service', {
  prepareForCreate: allocateClusterIP,
});

/** A stable-looking ClusterIP from 10.96.0.0/16, hashed from the uid (display only; pods reach Services through their env vars). */
function allocateClusterIP(svc: KObject): KObject {
  const spec = (svc.spec ?? {}) as Record<string, unknown>;
  if (spec.clusterIP === 'None' || (typeof spec.clusterIP === 'string' && spec.clusterIP)) return svc;
  const h = [...(svc.metadata.uid ?? '')].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  const ip = `10.96.${(h >> 8) & 255}.${Math.max(2, h & 255) % 254}`;
  return { ...svc, spec: { ...spec, clusterIP: ip, clusterIPs: [ip] } };
}
