import { type Container, type Pod, parseQuantity, qosClass } from '@kjobs/api';

/** The cgroup settings of one container, as the kubelet derives them (pure). */
export interface ContainerResources {
  /** `linux.resources` of the OCI spec: memory, cpu (pids is set per pod, see podPidsLimit). */
  linux: { memory?: { limit: number; swap: number }; cpu: { shares: number; quota?: number; period?: number } };
  /** OOM score adjustment by QoS class (kubelet's qos policy). */
  oomScoreAdj: number;
}

/** The kubelet's constants (pkg/kubelet/cm): CFS period, minimum shares and quota. */
const CFS_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const MIN_QUOTA_US = 1_000;

const milli = (q: string | undefined): number | undefined => (q === undefined ? undefined : Math.round(parseQuantity(q) * 1000));
const bytes = (q: string | undefined): number | undefined => (q === undefined ? undefined : Math.ceil(parseQuantity(q)));

/**
 * Does, as the kubelet's MilliCPUToShares / MilliCPUToQuota and its QoS policy:
 * 1. `limits.memory` → memory limit (swap equal to it: no swap on top);
 * 2. `requests.cpu` → cpu shares (milli × 1024 / 1000, at least 2; `limits.cpu` stands in when
 *    only a limit is set, as API defaulting makes requests = limits; none → 2, BestEffort);
 * 3. `limits.cpu` → CFS quota over a 100 ms period (at least 1 ms);
 * 4. OOM score: Guaranteed -997, BestEffort 1000, Burstable from the memory request's share of
 *    the node's memory.
 */
export function containerResources(pod: Pod, c: Container, nodeMemoryBytes: number): ContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const memLimit = bytes(lim.memory);
  const cpuLimit = milli(lim.cpu);
  const cpuRequest = milli(req.cpu) ?? cpuLimit;
  const shares = cpuRequest === undefined ? MIN_SHARES : Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((cpuRequest * 1024) / 1000)));
  const cpu: ContainerResources['linux']['cpu'] = { shares };
  if (cpuLimit !== undefined && cpuLimit > 0) {
    cpu.quota = Math.max(MIN_QUOTA_US, Math.floor((cpuLimit * CFS_PERIOD_US) / 1000));
    cpu.period = CFS_PERIOD_US;
  }
  const linux: ContainerResources['linux'] = { cpu };
  if (memLimit !== undefined && memLimit > 0) linux.memory = { limit: memLimit, swap: memLimit };
  return { linux, oomScoreAdj: oomScoreAdj(pod, c, nodeMemoryBytes) };
}

/** kubelet's GetContainerOOMScoreAdjust (pkg/kubelet/qos/policy.go). */
export function oomScoreAdj(pod: Pod, c: Container, nodeMemoryBytes: number): number {
  const qos = qosClass(pod.spec);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const request = bytes(c.resources?.requests?.memory ?? c.resources?.limits?.memory) ?? 0;
  const adj = 1000 - Math.floor((1000 * request) / Math.max(1, nodeMemoryBytes));
  if (adj < 2) return 2;
  if (adj === 1000) return 999;
  return adj;
}
