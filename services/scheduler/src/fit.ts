import { parseQuantity, type Node, type Pod, type Taint, type Toleration } from '@kjobs/api';

/** Resource amounts the scheduler compares: cpu in cores, memory in bytes, pods as a count. */
export interface Resources {
  cpu: number;
  memory: number;
  pods: number;
}

/** A pod's requests (the sum over containers; init containers count as their maximum). */
export function podRequests(pod: Pod): Resources {
  const sum = { cpu: 0, memory: 0, pods: 1 };
  for (const c of pod.spec.containers) {
    sum.cpu += q(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);
    sum.memory += q(c.resources?.requests?.memory ?? c.resources?.limits?.memory);
  }
  for (const c of pod.spec.initContainers ?? []) {
    sum.cpu = Math.max(sum.cpu, q(c.resources?.requests?.cpu));
    sum.memory = Math.max(sum.memory, q(c.resources?.requests?.memory));
  }
  return sum;
}

function q(s: string | undefined): number {
  if (!s) return 0;
  try {
    return parseQuantity(s);
  } catch {
    return 0;
  }
}

/** A node's allocatable resources. */
export function allocatable(node: Node): Resources {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { cpu: q(a.cpu), memory: q(a.memory), pods: q(a.pods) || 110 };
}

/** True when a toleration tolerates a taint (Kubernetes' ToleratesTaint). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if ((t.operator ?? 'Equal') === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** Why a node does not fit a pod, as kube-scheduler words it (undefined when it fits). */
export type Misfit =
  | 'node(s) were unschedulable'
  | "node(s) didn't match Pod's node affinity/selector"
  | 'Insufficient cpu'
  | 'Insufficient memory'
  | 'Too many pods'
  | `node(s) had untolerated taint {${string}}`
  | 'node(s) were not ready';

/** Filter one node for a pod given what is already requested there. Returns every reason it misfits. */
export function misfits(pod: Pod, node: Node, used: Resources): Misfit[] {
  const out: Misfit[] = [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'True') {
    // A not-ready node carries a NoSchedule/NoExecute taint; report the taint when present.
  }
  if (node.spec?.unschedulable) out.push('node(s) were unschedulable');
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!(pod.spec.tolerations ?? []).some((t) => tolerates(t, taint))) {
      out.push(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
      break;
    }
  }
  if ((!ready || ready.status !== 'True') && !out.some((m) => m.startsWith('node(s) had untolerated taint'))) out.push('node(s) were not ready');
  const sel = pod.spec.nodeSelector ?? {};
  const labels = node.metadata.labels ?? {};
  if (Object.entries(sel).some(([k, v]) => labels[k] !== v)) out.push("node(s) didn't match Pod's node affinity/selector");
  const req = podRequests(pod);
  const alloc = allocatable(node);
  if (used.pods + 1 > alloc.pods) out.push('Too many pods');
  if (req.cpu > 0 && used.cpu + req.cpu > alloc.cpu + 1e-9) out.push('Insufficient cpu');
  if (req.memory > 0 && used.memory + req.memory > alloc.memory) out.push('Insufficient memory');
  return out;
}

/**
 * The FailedScheduling message: `0/2 nodes are available: 2 Insufficient cpu.` — reasons counted
 * over nodes and sorted, as kube-scheduler's FitError prints them.
 */
export function unschedulableMessage(nodeCount: number, perNode: Misfit[][]): string {
  const counts = new Map<string, number>();
  for (const ms of perNode) for (const m of ms) counts.set(m, (counts.get(m) ?? 0) + 1);
  const parts = [...counts].map(([m, n]) => `${n} ${m}`).sort();
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  return `0/${nodeCount} nodes are available: ${parts.join(', ')}.`;
}

/**
 * Score a fitting node (higher is better): least-allocated cpu and memory after placing the pod
 * (0–100 each), minus a spread penalty for pods of the same owner already on the node.
 */
export function score(pod: Pod, node: Node, used: Resources, sameOwnerOnNode: number): number {
  const req = podRequests(pod);
  const alloc = allocatable(node);
  const free = (u: number, r: number, a: number) => (a > 0 ? Math.max(0, (a - u - r) / a) * 100 : 0);
  const leastAllocated = (free(used.cpu, req.cpu, alloc.cpu) + free(used.memory, req.memory, alloc.memory) + free(used.pods, 1, alloc.pods)) / 3;
  return leastAllocated - sameOwnerOnNode * 10;
}
