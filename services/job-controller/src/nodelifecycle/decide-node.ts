import type { Lease, Node, NodeCondition, Pod, PodStatus, Taint } from '@kjobs/api';

/** Timing of the node lifecycle controller. */
export interface NodeLifecycleTiming {
  /** No heartbeat for this long → Ready=Unknown and the unreachable taint (Kubernetes 1.32: 50 s). */
  gracePeriodMs: number;
  /**
   * Then, after this much longer, the node's pods are failed with a DisruptionTarget condition so
   * their owners replace them. Kubernetes waits 300 s (default toleration) and more; kjobs
   * defaults to 10 s: on one machine a lost agent's processes are gone, and Jobs should move on.
   */
  podEvictionDelayMs: number;
}

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

/** The last heartbeat of a node: its Lease's renewTime, or its Ready condition's heartbeat. */
export function lastHeartbeat(node: Node, lease: Lease | undefined): number {
  const times = [
    lease?.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0,
    ...(node.status?.conditions ?? []).map((c) => (c.lastHeartbeatTime ? Date.parse(c.lastHeartbeatTime) : 0)),
    Date.parse(node.metadata.creationTimestamp ?? '') || 0,
  ];
  return Math.max(...times);
}

/** What to do about one node now. */
export interface NodeDecision {
  /** Mark Ready=Unknown and add the unreachable NoSchedule/NoExecute taints. */
  markUnknown: boolean;
  /** Pods to fail (bound here, not terminal). */
  failPods: Pod[];
  /** When to look again (ms from now). */
  recheckMs: number;
}

/** Decide the lifecycle step of a node from its last heartbeat. */
export function decideNode(node: Node, lease: Lease | undefined, pods: readonly Pod[], now: number, t: NodeLifecycleTiming): NodeDecision {
  const hb = lastHeartbeat(node, lease);
  const silentMs = now - hb;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (silentMs < t.gracePeriodMs) return { markUnknown: false, failPods: [], recheckMs: t.gracePeriodMs - silentMs + 100 };
  const markUnknown = ready?.status !== 'Unknown' || !(node.spec?.taints ?? []).some((x) => x.key === UNREACHABLE_TAINT);
  const evictAt = hb + t.gracePeriodMs + t.podEvictionDelayMs;
  if (now < evictAt) return { markUnknown, failPods: [], recheckMs: evictAt - now + 100 };
  const failPods = pods.filter((p) => p.spec.nodeName === node.metadata.name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return { markUnknown, failPods, recheckMs: 5_000 };
}

/** The node taints for an unreachable node (both effects, as Kubernetes sets them). */
export function unreachableTaints(existing: Taint[] | undefined, nowIso: string): Taint[] {
  const keep = (existing ?? []).filter((x) => x.key !== UNREACHABLE_TAINT);
  return [...keep, { key: UNREACHABLE_TAINT, effect: 'NoSchedule', timeAdded: nowIso }, { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: nowIso }];
}

/**
 * The node's conditions once it is lost: Ready becomes Unknown (NodeStatusUnknown, "Kubelet
 * stopped posting node status."), its lastTransitionTime kept if it already was Unknown.
 */
export function unknownReadyConditions(node: Node, nowIso: string): NodeCondition[] {
  return (node.status?.conditions ?? []).map((c) => (c.type === 'Ready'
    ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : nowIso }
    : c));
}

/**
 * The status of a pod of a lost node (DeletionByTaintManager): phase Failed, reason NodeLost,
 * DisruptionTarget=True and Ready=False replacing any earlier ones, and each container not yet
 * terminated terminated with 137 ContainerStatusUnknown.
 */
export function lostPodStatus(p: Pod, node: string, nowIso: string): Partial<PodStatus> {
  const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget' && c.type !== 'Ready');
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: nowIso });
  conditions.push({ type: 'Ready', status: 'False', reason: 'NodeLost', lastTransitionTime: nowIso });
  const containerStatuses = (p.status?.containerStatuses ?? []).map((c) => (c.state.terminated ? c : {
    ...c, ready: false, state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: nowIso } },
  }));
  return { phase: 'Failed', reason: 'NodeLost', message: `Node ${node} which was running pod ${p.metadata.name} is unresponsive`, conditions, containerStatuses };
}
