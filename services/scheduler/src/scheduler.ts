import { isApiError, type Node, type Pod } from '@kjobs/api';
import { EventRecorder, Informer, WorkQueue, keyOf, runWorkers, type ApiClient } from '@kjobs/client';
import type { Logger } from 'pino';
import { misfits, podRequests, score, unschedulableMessage, type Misfit, type Resources } from './fit.js';

/** Options of the scheduler. */
export interface SchedulerOptions {
  client: ApiClient;
  log: Logger;
  /** schedulerName this scheduler serves (default "default-scheduler"). */
  schedulerName?: string;
  /** Concurrent bindings (default 16). */
  workers?: number;
  /** Retry delay for an unschedulable pod when nothing changes (default 10 s; Kubernetes: 5 min). */
  unschedulableRetryMs?: number;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/**
 * kube-scheduler, small: takes pending pods without a node, filters nodes (Ready, schedulable,
 * taints, nodeSelector, requests vs allocatable, pod count), scores the rest (least allocated,
 * spread by owner) and binds through `pods/binding`, which refuses a second binding. Pods it
 * placed but has not yet seen bound are "assumed" on their node, so quick successive decisions
 * never overcommit a node.
 */
export class Scheduler {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  private readonly events: EventRecorder;
  /** pod key → node name, until the informer shows the binding. */
  private readonly assumed = new Map<string, string>();
  private readonly unschedulable = new Set<string>();
  private readonly name: string;

  constructor(private readonly o: SchedulerOptions) {
    this.name = o.schedulerName ?? 'default-scheduler';
    this.pods = new Informer<Pod>(o.client, 'Pod', { onError: (e) => o.log.warn({ err: e }, 'pod informer') });
    this.nodes = new Informer<Node>(o.client, 'Node', { onError: (e) => o.log.warn({ err: e }, 'node informer') });
    this.events = new EventRecorder(o.client, 'default-scheduler');
    this.pods.addIndex('node', (p) => (p.spec.nodeName ? [p.spec.nodeName] : []));
    this.pods.addIndex('owner', (p) => (p.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid));
  }

  async start(): Promise<void> {
    this.pods.on({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => {
        this.assumed.delete(keyOf(p));
        if (p.spec.nodeName) this.retryUnschedulable();
      },
    });
    this.nodes.on({ add: () => this.retryUnschedulable(), update: (a, b) => nodeChanged(a, b) && this.retryUnschedulable(), delete: () => undefined });
    await Promise.all([this.nodes.start(), this.pods.start()]);
    void runWorkers(this.queue, this.o.workers ?? 16, (k) => this.schedule(k), (k, e) => this.o.log.warn({ pod: k, err: e }, 'schedule failed'));
  }

  stop(): void {
    this.queue.shutdown();
    this.pods.stop();
    this.nodes.stop();
  }

  private onPod(p: Pod): void {
    const k = keyOf(p);
    if (p.spec.nodeName) {
      this.assumed.delete(k);
      this.unschedulable.delete(k);
      return;
    }
    if (this.wants(p)) this.queue.add(k);
  }

  private wants(p: Pod): boolean {
    return !p.spec.nodeName && !p.metadata.deletionTimestamp && !TERMINAL.has(p.status?.phase ?? '') && (p.spec.schedulerName ?? 'default-scheduler') === this.name;
  }

  private retryUnschedulable(): void {
    for (const k of this.unschedulable) this.queue.add(k);
  }

  /** Requests already placed on a node: bound non-terminal pods plus assumed ones. */
  private used(node: string): Resources {
    const sum = { cpu: 0, memory: 0, pods: 0 };
    const add = (p: Pod) => {
      const r = podRequests(p);
      sum.cpu += r.cpu;
      sum.memory += r.memory;
      sum.pods += 1;
    };
    for (const p of this.pods.byIndex('node', node)) if (!TERMINAL.has(p.status?.phase ?? '')) add(p);
    for (const [k, n] of this.assumed) {
      if (n !== node) continue;
      const p = this.pods.get(k);
      if (p && !p.spec.nodeName) add(p);
    }
    return sum;
  }

  /** Place one pod. */
  private async schedule(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const pod = this.pods.get(key);
    if (!pod || !this.wants(pod) || this.assumed.has(key)) return;
    const nodes = this.nodes.list();
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    let best: { node: string; score: number } | undefined;
    const why: Misfit[][] = [];
    for (const n of nodes) {
      const used = this.used(n.metadata.name!);
      const m = misfits(pod, n, used);
      if (m.length) {
        why.push(m);
        continue;
      }
      const same = owner ? this.pods.byIndex('owner', owner).filter((p) => p.spec.nodeName === n.metadata.name || this.assumed.get(keyOf(p)) === n.metadata.name).length : 0;
      const s = score(pod, n, used, same);
      if (!best || s > best.score) best = { node: n.metadata.name!, score: s };
    }
    if (!best) return this.markUnschedulable(pod, unschedulableMessage(nodes.length, why));
    this.assumed.set(key, best.node);
    try {
      await this.o.client.createSubresource('Pod', pod.metadata.namespace!, pod.metadata.name!, 'binding', {
        apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace }, target: { apiVersion: 'v1', kind: 'Node', name: best.node },
      });
      this.unschedulable.delete(key);
      this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${best.node}`);
    } catch (e) {
      this.assumed.delete(key);
      if (isApiError(e, 404) || isApiError(e, 409)) return; // gone, or bound by someone else
      throw e;
    }
  }

  private async markUnschedulable(pod: Pod, message: string): Promise<{ requeueAfterMs: number }> {
    const key = keyOf(pod);
    const first = !this.unschedulable.has(key);
    this.unschedulable.add(key);
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!cond || cond.status !== 'False' || cond.message !== message) {
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
      try {
        await this.o.client.patch('Pod', pod.metadata.namespace!, pod.metadata.name!, 'merge', { status: { conditions } }, { subresource: 'status' });
      } catch (e) {
        if (!isApiError(e, 404)) throw e;
      }
    }
    if (first || cond?.message !== message) this.events.record(pod, 'Warning', 'FailedScheduling', message);
    return { requeueAfterMs: this.o.unschedulableRetryMs ?? 10_000 };
  }
}

function nodeChanged(a: Node, b: Node): boolean {
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return ready(a) !== ready(b) || JSON.stringify(a.spec) !== JSON.stringify(b.spec) || JSON.stringify(a.status?.allocatable) !== JSON.stringify(b.status?.allocatable);
}
