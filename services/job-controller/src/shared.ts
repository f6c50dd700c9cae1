import type { CronJob, Job, KObject, Lease, Node, Pod, ReplicaSet } from '@kjobs/api';
import { EventRecorder, Informer, type ApiClient, type WorkQueueMetricsProvider } from '@kjobs/client';
import type { Logger } from 'pino';
import { JOB_TRACKING_FINALIZER } from './job/constants.js';

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

/**
 * Orphans (no controller) of `job`'s namespace its selector may match: the pods it may adopt (a
 * superset: the caller still matches the selector).
 */
export function orphansJobMaySelect(pods: Informer<Pod>, job: Job): Pod[] {
  return pods.byIndex('orphan', selectorKey(job.metadata.namespace ?? '', job.spec.selector?.matchLabels?.[SELECTOR_LABEL]));
}

/**
 * The pods `job` controls that its sync has to look at. A pod that finished, was counted (its
 * tracking finalizer is gone) and still carries the Job's uid label changes no decision of a
 * Job whose selector is exactly the generated one: it is neither active, terminating nor
 * uncounted, and the selector still matches it, so the claim keeps it. Such a Job's sync reads
 * only the rest (index `in-play`), so a Job of 100,000 completions no longer walks every pod it
 * ever ran at each sync (the scale benchmark: job-controller CPU per pod grew ~3× from its first
 * to its last 10 % of pods). Any other selector: every pod the Job controls, as Kubernetes reads.
 */
export function podsJobControls(pods: Informer<Pod>, job: Job): Pod[] {
  const uid = job.metadata.uid!;
  return selectsOnlyItsOwnPods(job) ? pods.byIndex('in-play', uid) : pods.byIndex('owner', uid);
}

/** True when the Job's selector is exactly `batch.kubernetes.io/controller-uid: <its uid>`. */
function selectsOnlyItsOwnPods(job: Job): boolean {
  const s = job.spec.selector;
  const labels = Object.keys(s?.matchLabels ?? {});
  return !s?.matchExpressions?.length && labels.length === 1 && s?.matchLabels?.[SELECTOR_LABEL] === job.metadata.uid;
}

/** `in-play` index: the controller's uid, unless the pod is finished, counted and still labelled with that uid. */
function inPlayKeys(p: Pod): string[] {
  const owner = controllerUid(p);
  if (owner === undefined) return [];
  const phase = p.status?.phase;
  const done = (phase === 'Succeeded' || phase === 'Failed') && !p.metadata.deletionTimestamp && !(p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
  return done && p.metadata.labels?.[SELECTOR_LABEL] === owner ? [] : [owner];
}

/** `orphan` index: a pod without a controller under "<ns>/*" and, when labelled, "<ns>/=<uid label>". */
function orphanKeys(p: Pod): string[] {
  if (controllerUid(p) !== undefined) return [];
  const ns = p.metadata.namespace ?? '';
  const value = p.metadata.labels?.[SELECTOR_LABEL];
  return value === undefined ? [selectorKey(ns, undefined)] : [selectorKey(ns, undefined), selectorKey(ns, value)];
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
    .addIndex('in-play', inPlayKeys)
    .addIndex('orphan', orphanKeys);
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
