import type { CronJob, Job, KObject, Lease, Node, Pod, ReplicaSet } from '@kjobs/api';
import { EventRecorder, Informer, type ApiClient, type WorkQueueMetricsProvider } from '@kjobs/client';
import type { Logger } from 'pino';

/** The controller uid of an object (its ownerReference with controller: true). */
export function controllerUid(o: KObject): string | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

/**
 * The label Job selectors are generated on (`batch.kubernetes.io/controller-uid`). A selector
 * whose matchLabels pins it can only match pods that carry the same value, so the pods a Job may
 * adopt, and the Jobs a pod may belong to, are looked up by that value instead of scanning the
 * whole namespace (which made each Job sync and each orphan pod's event cost O(objects in the
 * namespace): the scale benchmark's 10,000 Jobs beside 10,000 pods).
 */
const SELECTOR_LABEL = 'batch.kubernetes.io/controller-uid';
const selectorKey = (ns: string, value: string | undefined) => (value === undefined ? `${ns}/*` : `${ns}/=${value}`);

/** Pods of `job`'s namespace its selector may match (a superset: the caller still matches the selector). */
export function podsJobMaySelect(pods: Informer<Pod>, job: Job): Pod[] {
  const pinned = job.spec.selector?.matchLabels?.[SELECTOR_LABEL];
  const ns = job.metadata.namespace ?? '';
  return pinned === undefined ? pods.byIndex('namespace', ns) : pods.byIndex('selector', selectorKey(ns, pinned));
}

/** Jobs of `pod`'s namespace whose selector may match it (a superset: the caller still matches). */
export function jobsMaySelect(jobs: Informer<Job>, pod: Pod): Job[] {
  const ns = pod.metadata.namespace ?? '';
  const value = pod.metadata.labels?.[SELECTOR_LABEL];
  return [...jobs.byIndex('selector', selectorKey(ns, undefined)), ...(value === undefined ? [] : jobs.byIndex('selector', selectorKey(ns, value)))];
}

/** Shared informers and writers of the controller manager: one cache per kind for every controller. */
export interface Shared {
  client: ApiClient;
  log: Logger;
  now: () => Date;
  jobs: Informer<Job>;
  pods: Informer<Pod>;
  cronjobs: Informer<CronJob>;
  replicasets: Informer<ReplicaSet>;
  nodes: Informer<Node>;
  nodeLeases: Informer<Lease>;
  recorder(component: string): EventRecorder;
  /** Where each controller's work queue reports (default: nowhere). */
  queueMetrics?: WorkQueueMetricsProvider;
}

/** Build the shared informers with the indexes controllers use (owner uid, node name). */
export function createShared(client: ApiClient, log: Logger, now: () => Date = () => new Date(), queueMetrics?: WorkQueueMetricsProvider): Shared {
  const onError = (kind: string) => (e: unknown) => log.warn({ err: e, kind }, 'informer error; relisting');
  const pods = new Informer<Pod>(client, 'Pod', { onError: onError('Pod') })
    .addIndex('owner', (p) => (p.metadata.ownerReferences ?? []).map((r) => r.uid))
    .addIndex('node', (p) => (p.spec.nodeName ? [p.spec.nodeName] : []))
    .addIndex('namespace', (p) => [p.metadata.namespace ?? ''])
    .addIndex('selector', (p) => (p.metadata.labels?.[SELECTOR_LABEL] === undefined ? [] : [selectorKey(p.metadata.namespace ?? '', p.metadata.labels[SELECTOR_LABEL])]));
  const jobs = new Informer<Job>(client, 'Job', { onError: onError('Job') })
    .addIndex('owner', (j) => (j.metadata.ownerReferences ?? []).map((r) => r.uid))
    .addIndex('uid', (j) => [j.metadata.uid ?? ''])
    .addIndex('namespace', (j) => [j.metadata.namespace ?? ''])
    // "<ns>/=<value>" when the selector pins the label, else "<ns>/*" (may match any pod of the namespace).
    .addIndex('selector', (j) => [selectorKey(j.metadata.namespace ?? '', j.spec.selector?.matchLabels?.[SELECTOR_LABEL])]);
  const cronjobs = new Informer<CronJob>(client, 'CronJob', { onError: onError('CronJob') }).addIndex('uid', (c) => [c.metadata.uid ?? '']);
  const replicasets = new Informer<ReplicaSet>(client, 'ReplicaSet', { onError: onError('ReplicaSet') }).addIndex('uid', (r) => [r.metadata.uid ?? '']);
  const nodes = new Informer<Node>(client, 'Node', { onError: onError('Node') });
  const nodeLeases = new Informer<Lease>(client, 'Lease', { namespace: 'kube-node-lease', onError: onError('Lease') });
  const recorders = new Map<string, EventRecorder>();
  return {
    client, log, now, jobs, pods, cronjobs, replicasets, nodes, nodeLeases, queueMetrics,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, component, undefined, now)));
      return r;
    },
  };
}

/** Have the first lists of every shared informer arrived? */
export function hasSyncedShared(s: Shared): boolean {
  return [s.jobs, s.pods, s.cronjobs, s.replicasets, s.nodes, s.nodeLeases].every((i) => i.hasSynced());
}

/** Start every shared informer and wait for their first lists. */
export async function startShared(s: Shared): Promise<void> {
  await Promise.all([s.jobs.start(), s.pods.start(), s.cronjobs.start(), s.replicasets.start(), s.nodes.start(), s.nodeLeases.start()]);
}
