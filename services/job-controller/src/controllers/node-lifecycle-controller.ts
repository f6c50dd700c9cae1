import { isApiError, type Node, type Pod } from '@kjobs/api';
import { WorkQueue, runWorkers } from '@kjobs/client';
import { decideNode, unreachableTaints, type NodeLifecycleTiming } from '../nodelifecycle/decide.js';
import type { Shared } from '../shared.js';

/**
 * Node lifecycle: a node whose agent stopped heartbeating (Lease in kube-node-lease, or its Ready
 * condition) for the grace period becomes Ready=Unknown and tainted unreachable; after the
 * eviction delay its pods are marked Failed with a DisruptionTarget condition, so their Jobs and
 * ReplicaSets replace them. It wakes exactly when the next step is due.
 */
export class NodeLifecycleController {
  private readonly queue: WorkQueue;

  constructor(private readonly s: Shared, private readonly timing: NodeLifecycleTiming) {
    this.queue = new WorkQueue({ name: 'node_lifecycle', metrics: this.s.queueMetrics });
  }

  start(): void {
    this.s.nodes.on({ add: (n) => this.queue.add(n.metadata.name!), update: (_a, n) => this.queue.add(n.metadata.name!), delete: () => undefined });
    this.s.nodeLeases.on({ add: (l) => this.queue.add(l.metadata.name!), update: (_a, l) => this.queue.add(l.metadata.name!), delete: () => undefined });
    void runWorkers(this.queue, 1, (k) => this.sync(k), (k, e) => this.s.log.warn({ node: k, err: e }, 'node lifecycle sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const node = this.s.nodes.get(name);
    if (!node) return;
    const lease = this.s.nodeLeases.getByName('kube-node-lease', name);
    const now = this.s.now();
    const pods = this.s.pods.byIndex('node', name);
    const d = decideNode(node, lease, pods, now.getTime(), this.timing);
    const iso = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (d.markUnknown) {
      const conditions = (node.status?.conditions ?? []).map((c) => (c.type === 'Ready'
        ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : iso }
        : c));
      await this.s.client.update<Node>('Node', { ...node, status: { ...node.status, conditions } }, { subresource: 'status' });
      const fresh = await this.s.client.get<Node>('Node', '', name);
      await this.s.client.update<Node>('Node', { ...fresh, spec: { ...fresh.spec, taints: unreachableTaints(fresh.spec?.taints, iso) } });
      this.s.recorder('node-controller').record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    }
    for (const p of d.failPods) await this.failPod(p, name, iso);
    return { requeueAfterMs: d.recheckMs };
  }

  /** Fail a pod of a lost node: DisruptionTarget (DeletionByTaintManager), phase Failed. */
  private async failPod(p: Pod, node: string, iso: string): Promise<void> {
    const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget' && c.type !== 'Ready');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: iso });
    conditions.push({ type: 'Ready', status: 'False', reason: 'NodeLost', lastTransitionTime: iso });
    const containerStatuses = (p.status?.containerStatuses ?? []).map((c) => (c.state.terminated ? c : {
      ...c, ready: false, state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: iso } },
    }));
    try {
      await this.s.client.patch('Pod', p.metadata.namespace!, p.metadata.name!, 'merge', {
        status: { phase: 'Failed', reason: 'NodeLost', message: `Node ${node} which was running pod ${p.metadata.name} is unresponsive`, conditions, containerStatuses },
      }, { subresource: 'status' });
      this.s.recorder('node-controller').record(p, 'Warning', 'NodeLost', `Node ${node} is unreachable; marking the pod Failed`);
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
    }
  }
}
