/**
 * A pod's QoS class as Kubernetes computes it (pkg/apis/core/helper/qos `ComputePodQOS`), the one
 * copy for the api-server (status on create), the kubelet (cgroup settings, status) and kubectl
 * describe. Requests default to limits as `SetDefaults_Pod` does, so a spec before or after
 * defaulting gets the same class.
 */
import type { Container, PodSpec } from './types.js';
import { type ParsedQuantity, parseQuantityExact } from './validation/quantity.js';

/** A pod's QoS class. */
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

/** The quantity when it is positive (zero and malformed quantities count as unset). */
function positive(q: string | undefined): ParsedQuantity | undefined {
  if (q === undefined) return undefined;
  try {
    const p = parseQuantityExact(q);
    return p.mantissa > 0n ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Exact a + b (undefined counts as zero). */
function add(a: ParsedQuantity | undefined, b: ParsedQuantity): ParsedQuantity {
  if (!a) return b;
  const scale = Math.min(a.scale, b.scale);
  return { mantissa: a.mantissa * 10n ** BigInt(a.scale - scale) + b.mantissa * 10n ** BigInt(b.scale - scale), scale, format: a.format };
}

function equal(a: ParsedQuantity, b: ParsedQuantity): boolean {
  const scale = Math.min(a.scale, b.scale);
  return a.mantissa * 10n ** BigInt(a.scale - scale) === b.mantissa * 10n ** BigInt(b.scale - scale);
}

/**
 * - BestEffort: no container requests or limits a positive cpu or memory;
 * - Guaranteed: every container limits both cpu and memory, and the pod's summed requests equal
 *   its summed limits for each;
 * - Burstable otherwise.
 */
export function qosClass(spec: Pick<PodSpec, 'containers' | 'initContainers'>): QosClass {
  const all: Container[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const requests = new Map<string, ParsedQuantity>();
  const limits = new Map<string, ParsedQuantity>();
  let guaranteed = true;
  for (const c of all) {
    let limited = 0;
    for (const r of COMPUTE) {
      const lim = positive(c.resources?.limits?.[r]);
      const req = c.resources?.requests?.[r] !== undefined ? positive(c.resources.requests[r]) : lim;
      if (req) requests.set(r, add(requests.get(r), req));
      if (lim) {
        limits.set(r, add(limits.get(r), lim));
        limited++;
      }
    }
    if (limited < COMPUTE.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  for (const [r, req] of requests) {
    const lim = limits.get(r);
    if (!lim || !equal(lim, req)) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
