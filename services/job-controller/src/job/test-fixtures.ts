/**
 * Builders for Job-controller tests: Jobs and pods in the shapes the API server and kubelet produce.
 * Test support only; nothing in the controller imports it.
 */
import type { ContainerStatus, Job, JobSpec, JobStatus, Pod, PodCondition } from '@kjobs/api';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_INDEX_FAILURE_COUNT_ANNOTATION, JOB_TRACKING_FINALIZER } from './constants.js';
import { rfc3339 } from './conditions.js';

/** A fixed test epoch. */
export const T0 = new Date('2024-03-01T12:00:00Z');

/** T0 plus `seconds`. */
export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

/** RFC 3339 of T0 plus `seconds`. */
export function ts(seconds: number): string {
  return rfc3339(at(seconds));
}

/** A defaulted Job (as the API server stores it) with the given spec overrides and status. */
export function makeJob(spec: Partial<JobSpec> = {}, status?: JobStatus, meta: { name?: string; uid?: string; deletionTimestamp?: string } = {}): Job {
  const name = meta.name ?? 'pi';
  const uid = meta.uid ?? 'job-uid';
  const completionsGiven = 'completions' in spec;
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid, resourceVersion: '1', creationTimestamp: ts(0) },
    spec: {
      parallelism: spec.parallelism ?? 1,
      completions: completionsGiven ? spec.completions : 1,
      backoffLimit: spec.backoffLimit ?? (spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6),
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      ...spec,
      template: spec.template ?? {
        metadata: { labels: { app: 'pi', 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] },
      },
    },
  };
  if (meta.deletionTimestamp) job.metadata.deletionTimestamp = meta.deletionTimestamp;
  if (status) job.status = status;
  return job;
}

/** Options for {@link makePod}. */
export interface PodOptions {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  index?: number;
  /** Keep the tracking finalizer (default true). */
  finalizer?: boolean;
  ready?: boolean;
  /** Seconds after T0 of the pod's deletionTimestamp. */
  deletedAt?: number;
  exitCode?: number;
  /** Seconds after T0 the container finished (terminal pods). */
  finishedAt?: number;
  createdAt?: number;
  restartCount?: number;
  node?: string;
  conditions?: PodCondition[];
  indexFailureCount?: number;
  initExitCode?: number;
}

/** A pod of `job` named `name` (uid `uid-<name>`) in the state the options describe. */
export function makePod(job: Job, name: string, o: PodOptions = {}): Pod {
  const phase = o.phase ?? 'Running';
  const annotations: Record<string, string> = {};
  if (o.index !== undefined) annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(o.index);
  if (o.indexFailureCount !== undefined) annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(o.indexFailureCount);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const exitCode = o.exitCode ?? (phase === 'Failed' ? 1 : 0);
  const cs: ContainerStatus = {
    name: 'main',
    image: 'busybox',
    imageID: '',
    ready: !!o.ready,
    restartCount: o.restartCount ?? 0,
    lastState: {},
    state: terminal
      ? { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: ts(o.finishedAt ?? 10) } }
      : phase === 'Running'
        ? { running: { startedAt: ts(o.createdAt ?? 0) } }
        : { waiting: { reason: 'ContainerCreating' } },
  };
  const conditions: PodCondition[] = [...(o.conditions ?? [])];
  if (o.ready) conditions.push({ type: 'Ready', status: 'True', lastTransitionTime: ts(o.createdAt ?? 0) });
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: ts(o.createdAt ?? 0),
      annotations,
      labels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid ?? '' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name ?? '', uid: job.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      finalizers: o.finalizer === false ? [] : [JOB_TRACKING_FINALIZER],
    },
    spec: { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: job.spec.template.spec.restartPolicy ?? 'Never', ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase, conditions, containerStatuses: phase === 'Pending' && !o.node ? [] : [cs] },
  };
  if (o.initExitCode !== undefined) {
    pod.status!.initContainerStatuses = [{ ...cs, name: 'init', state: { terminated: { exitCode: o.initExitCode, finishedAt: ts(o.finishedAt ?? 10) } } }];
  }
  if (o.deletedAt !== undefined) {
    pod.metadata.deletionTimestamp = ts(o.deletedAt);
    pod.metadata.deletionGracePeriodSeconds = 30;
  }
  return pod;
}

/** `n` pods named `<prefix>0..n-1` with the same options. */
export function makePods(job: Job, n: number, prefix: string, o: PodOptions = {}): Pod[] {
  return Array.from({ length: n }, (_, i) => makePod(job, `${prefix}${i}`, o));
}
