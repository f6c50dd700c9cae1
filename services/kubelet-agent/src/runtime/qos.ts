import type { Container, PodSpec } from '@kjobs/api';

/** A pod's QoS class. */
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

function isSet(q: string | undefined): boolean {
  return q !== undefined && q !== '' && !/^0+(\.0*)?[a-zA-Z]*$/.test(q);
}

/**
 * The QoS class as Kubernetes computes it (pkg/apis/core/v1/helper/qos GetPodQOS), over
 * init and regular containers:
 * - BestEffort: no container requests or limits cpu/memory;
 * - Guaranteed: every container limits both cpu and memory, and its requests (when set) equal
 *   the limits;
 * - Burstable otherwise.
 * Quantities are compared as written (`500m` ≠ `0.5`), which is enough for manifests that copy
 * limits into requests.
 */
export function qosClass(spec: Pick<PodSpec, 'containers' | 'initContainers'>): QosClass {
  const all: Container[] = [...(spec.initContainers ?? []), ...spec.containers];
  let anySet = false;
  let guaranteed = true;
  for (const c of all) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of COMPUTE) {
      const req = requests[r];
      const lim = limits[r];
      if (isSet(req) || isSet(lim)) anySet = true;
      if (!isSet(lim)) guaranteed = false;
      else if (isSet(req) && req !== lim) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
