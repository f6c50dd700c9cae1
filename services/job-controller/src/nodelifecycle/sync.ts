/**
 * `syncNode` (Kubernetes node_lifecycle_controller.go `monitorNodeHealth` and the taint manager's
 * eviction, for one node): guard, read, decide (decide-node.ts), act through
 * {@link NodeLifecycleControl}, and wake exactly when the next step is due.
 */
import { isApiError, rfc3339, type Lease, type Node, type Pod } from '@kjobs/api';
import type { NodeLifecycleControl } from './control.js';
import { decideNode, lostPodStatus, unknownReadyConditions, unreachableTaints, type NodeLifecycleTiming } from './decide-node.js';

/** What a node lifecycle sync reads and writes through. */
export interface NodeLifecycleSyncContext {
  /** The Node by name, from the cache. */
  node(name: string): Node | undefined;
  /** The node's Lease in kube-node-lease, from the cache. */
  lease(name: string): Lease | undefined;
  /** The pods bound to the node, from the cache. */
  podsOn(name: string): Pod[];
  control: NodeLifecycleControl;
  now(): Date;
  timing: NodeLifecycleTiming;
}

/**
 * Sync one node. Does:
 * 1. guard: gone from the cache → nothing;
 * 2. read its Lease and pods; 3. decide from its last heartbeat;
 * 4. act: lost → Ready=Unknown, then the unreachable taints on a fresh read, NodeNotReady;
 *    past the eviction delay → fail each of its pods (DisruptionTarget, NodeLost);
 * 5. requeue for the next step.
 */
export async function syncNode(name: string, c: NodeLifecycleSyncContext): Promise<{ requeueAfterMs?: number } | void> {
  const node = c.node(name);
  if (!node) return;
  const lease = c.lease(name);
  const pods = c.podsOn(name);
  const now = c.now();

  const d = decideNode(node, lease, pods, now.getTime(), c.timing);

  const iso = rfc3339(now);
  if (d.markUnknown) {
    await c.control.updateNodeStatus({ ...node, status: { ...node.status, conditions: unknownReadyConditions(node, iso) } });
    const fresh = await c.control.getNode(name);
    await c.control.updateNode({ ...fresh, spec: { ...fresh.spec, taints: unreachableTaints(fresh.spec?.taints, iso) } });
    c.control.recordEvent(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
  }
  for (const p of d.failPods) {
    try {
      await c.control.patchPodStatus(p, lostPodStatus(p, name, iso));
      c.control.recordEvent(p, 'Warning', 'NodeLost', `Node ${name} is unreachable; marking the pod Failed`);
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
    }
  }
  return { requeueAfterMs: d.recheckMs };
}
