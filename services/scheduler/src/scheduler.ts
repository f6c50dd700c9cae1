import { isApiError, type Node, type Pod, objectKey, rfc3339 } from '@kjobs/api';
import { EventRecorder, Informer, WorkQueue, runWorkers, type ApiClient, type WorkQueueMetricsProvider } from '@kjobs/client';
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
  /** Where the scheduling queue reports (default: nowhere). */
  queueMetrics?: WorkQueueMetricsProvider;
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
  private readonly queue: WorkQueue;
  private synced = false;
  private readonly events: EventRecorder;
  /** pod key → node name, until the informer shows the binding. */
  private readonly assumed = new Map<string, string>();
  private readonly unschedulable = new Set<string>();
  private readonly name: string;
  /**
   * What each bound pod adds to its node, kept as pods change so a decision costs O(nodes), not
   * O(pods): its requests while not terminal (cpu in millicores, memory in bytes: integers, so
   * adding and taking away never drifts), and one for its controller's spread count in any phase.
   */
  private readonly placed = new Map<string, Placed>();
  private readonly usage = new Map<string, { milliCpu: number; memory: number; pods: number }>();
  private readonly ownerOnNode = new Map<string, Map<string, number>>();

  constructor(private readonly o: SchedulerOptions) {
    this.name = o.schedulerName ?? 'default-scheduler';
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 10_000, name: 'scheduler', metrics: o.queueMetrics });
    this.pods = new Informer<Pod>(o.client, 'Pod', { onError: (e) => o.log.warn({ err: e }, 'pod informer') });
    this.nodes = new Informer<Node>(o.client, 'Node', { onError: (e) => o.log.warn({ err: e }, 'node informer') });
    this.events = new EventRecorder(o.client, 'default-scheduler');
  }

  async start(): Promise<void> {
    this.pods.on({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => {
        this.account(objectKey(p), undefined);
        this.assumed.delete(objectKey(p));
        if (p.spec.nodeName) this.retryUnschedulable();
      },
    });
    this.nodes.on({ add: () => this.retryUnschedulable(), update: (a, b) => nodeChanged(a, b) && this.retryUnschedulable(), delete: () => undefined });
    await Promise.all([this.nodes.start(), this.pods.start()]);
    this.synced = true;
    void runWorkers(this.queue, this.o.workers ?? 16, (k) => this.schedule(k), (k, e) => this.o.log.warn({ pod: k, err: e }, 'schedule failed'));
  }

  /** Have the pod and node caches been listed (and scheduling begun)? */
  hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.queue.shutdown();
    this.pods.stop();
    this.nodes.stop();
  }

  private onPod(p: Pod): void {
    const k = objectKey(p);
    this.account(k, p);
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

  /** Keep `usage` and `ownerOnNode` true for pod `key`, now `p` (undefined: gone). */
  private account(key: string, p: Pod | undefined): void {
    const old = this.placed.get(key);
    if (old) {
      this.placed.delete(key);
      this.apply(old, -1);
    }
    const node = p?.spec.nodeName;
    const now: Placed | undefined = p && node ? { node, active: !TERMINAL.has(p.status?.phase ?? ''), ...milli(podRequests(p)), owner: controllerUid(p) } : undefined;
    if (now) {
      this.placed.set(key, now);
      this.apply(now, 1);
    }
    // A pod that finished frees its node, as kube-scheduler's cache drops it: retry at once.
    if (old?.active && !now?.active && p) this.retryUnschedulable();
  }

  private apply(e: Placed, sign: 1 | -1): void {
    if (e.active) {
      const u = this.usage.get(e.node) ?? { milliCpu: 0, memory: 0, pods: 0 };
      u.milliCpu += sign * e.milliCpu;
      u.memory += sign * e.memory;
      u.pods += sign;
      if (u.pods === 0) this.usage.delete(e.node);
      else this.usage.set(e.node, u);
    }
    if (e.owner) {
      const byNode = this.ownerOnNode.get(e.owner) ?? new Map<string, number>();
      const n = (byNode.get(e.node) ?? 0) + sign;
      if (n === 0) byNode.delete(e.node);
      else byNode.set(e.node, n);
      if (byNode.size === 0) this.ownerOnNode.delete(e.owner);
      else this.ownerOnNode.set(e.owner, byNode);
    }
  }

  /** Requests already placed on a node: bound non-terminal pods plus assumed ones. */
  private used(node: string): Resources {
    const u = this.usage.get(node);
    const sum = { cpu: (u?.milliCpu ?? 0) / 1000, memory: u?.memory ?? 0, pods: u?.pods ?? 0 };
    for (const [k, n] of this.assumed) {
      if (n !== node) continue;
      const p = this.pods.get(k);
      if (!p || p.spec.nodeName) continue;
      const r = podRequests(p);
      sum.cpu += r.cpu;
      sum.memory += r.memory;
      sum.pods += 1;
    }
    return sum;
  }

  /** Pods of controller `owner` on `node`: bound there (any phase) or assumed there. */
  private sameOwner(owner: string, node: string): number {
    let n = this.ownerOnNode.get(owner)?.get(node) ?? 0;
    for (const [k, on] of this.assumed) {
      if (on !== node) continue;
      const p = this.pods.get(k);
      if (p && !p.spec.nodeName && controllerUid(p) === owner) n++;
    }
    return n;
  }

  /** Place one pod. */
  private async schedule(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const pod = this.pods.get(key);
    if (!pod || !this.wants(pod) || this.assumed.has(key)) return;
    const nodes = this.nodes.list();
    const owner = controllerUid(pod);
    let best: { node: string; score: number } | undefined;
    const why: Misfit[][] = [];
    for (const n of nodes) {
      const used = this.used(n.metadata.name!);
      const m = misfits(pod, n, used);
      if (m.length) {
        why.push(m);
        continue;
      }
      const same = owner ? this.sameOwner(owner, n.metadata.name!) : 0;
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
    const key = objectKey(pod);
    const first = !this.unschedulable.has(key);
    this.unschedulable.add(key);
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!cond || cond.status !== 'False' || cond.message !== message) {
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) });
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

/** What a bound pod adds to its node (Scheduler.account). */
interface Placed {
  node: string;
  /** Not Succeeded or Failed: its requests count. */
  active: boolean;
  milliCpu: number;
  memory: number;
  /** Its controller's uid: it counts for that controller's spread. */
  owner: string | undefined;
}

function milli(r: Resources): { milliCpu: number; memory: number } {
  return { milliCpu: Math.round(r.cpu * 1000), memory: Math.round(r.memory) };
}

function controllerUid(p: Pod): string | undefined {
  return p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

function nodeChanged(a: Node, b: Node): boolean {
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return ready(a) !== ready(b) || JSON.stringify(a.spec) !== JSON.stringify(b.spec) || JSON.stringify(a.status?.allocatable) !== JSON.stringify(b.status?.allocatable);
}
