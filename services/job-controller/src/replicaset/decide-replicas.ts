import type { Pod, ReplicaSet } from '@kjobs/api';
import { cloneJson } from '@kjobs/api';

/** What the ReplicaSet controller should do for one ReplicaSet. */
export interface ReplicaSetDecision {
  create: number;
  /** Pods to delete, most expendable first. */
  remove: Pod[];
  status: NonNullable<ReplicaSet['status']>;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** Active = not terminal and not being deleted (Kubernetes' FilterActivePods). */
export function isActivePod(p: Pod): boolean {
  return !TERMINAL.has(p.status?.phase ?? '') && !p.metadata.deletionTimestamp;
}

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Rank for deletion like Kubernetes' ActivePods ordering: unscheduled before scheduled, pending
 * before running, not ready before ready, more restarts first, newer first.
 */
export function deletionRank(a: Pod, b: Pod): number {
  const s = (p: Pod) => (p.spec.nodeName ? 1 : 0);
  if (s(a) !== s(b)) return s(a) - s(b);
  const rank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
  const ph = (p: Pod) => rank[p.status?.phase ?? 'Pending'] ?? 0;
  if (ph(a) !== ph(b)) return ph(a) - ph(b);
  const r = (p: Pod) => (isReady(p) ? 1 : 0);
  if (r(a) !== r(b)) return r(a) - r(b);
  const rc = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
  if (rc(a) !== rc(b)) return rc(b) - rc(a);
  return Date.parse(b.metadata.creationTimestamp ?? '0') - Date.parse(a.metadata.creationTimestamp ?? '0');
}

/** Decide creates/deletes and the status for a ReplicaSet given its (owned) pods. */
export function decideReplicaSet(rs: ReplicaSet, pods: readonly Pod[]): ReplicaSetDecision {
  const want = rs.spec.replicas ?? 1;
  const active = pods.filter(isActivePod);
  const diff = active.length - want;
  const status = {
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    readyReplicas: active.filter(isReady).length,
    availableReplicas: active.filter(isReady).length,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  if (rs.metadata.deletionTimestamp) return { create: 0, remove: [], status };
  if (diff < 0) return { create: Math.min(-diff, 500), remove: [], status };
  if (diff > 0) return { create: 0, remove: [...active].sort(deletionRank).slice(0, diff), status };
  return { create: 0, remove: [], status };
}

/** The pod a ReplicaSet creates from its template. */
export function podForReplicaSet(rs: ReplicaSet): Pod {
  const t = rs.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: cloneJson(t.spec),
  };
}
