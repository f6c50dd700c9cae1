/**
 * The pod the Job controller creates from `spec.template` (Kubernetes manageJob +
 * indexed_job_utils.go + controller_utils.go GetPodFromTemplate).
 */
import type { Container, Job, OwnerReference, Pod } from '@kjobs/api';
import { cloneJson } from '@kjobs/api';
import {
  COMPLETION_INDEX_ENV_NAME,
  CONTROLLER_UID_LABEL,
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
  JOB_NAME_LABEL,
  JOB_TRACKING_FINALIZER,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  MAX_GENERATED_NAME_LENGTH,
} from './constants.js';
import { parseIndexes } from './indexes.js';

/**
 * kjobs extension (`kjobs rerun`): a Job annotated with the original indexes it re-runs, in
 * order (`"3,7-9"`: its index 0 re-runs 3, index 1 re-runs 7, …). See docs/kjobs-extensions.md.
 */
export const RERUN_INDEXES_ANNOTATION = 'kjobs.io/rerun-indexes';
/** Set on each pod of such a Job: the original index it re-runs (the template's JOB_COMPLETION_INDEX reads it). */
export const ORIGINAL_INDEX_ANNOTATION = 'kjobs.io/original-completion-index';

/**
 * The original index that index `ix` of a rerun Job stands for: the ix-th index listed in
 * `kjobs.io/rerun-indexes`; undefined without the annotation or when the list is shorter.
 */
export function originalIndexOf(job: Job, ix: number): number | undefined {
  const text = job.metadata.annotations?.[RERUN_INDEXES_ANNOTATION];
  if (!text) return undefined;
  let seen = 0;
  for (const { first, last } of parseIndexes(text, Number.MAX_SAFE_INTEGER)) {
    if (ix < seen + (last - first + 1)) return first + (ix - seen);
    seen += last - first + 1;
  }
  return undefined;
}

/** Options for one pod. */
export interface PodForJobOptions {
  /** Completion index, for Indexed Jobs. */
  index?: number;
  /** backoffLimitPerIndex: the failure counts this pod starts with (see nextIndexFailureCounts). */
  indexFailureCounts?: { failed: number; ignored: number };
}

/** The controller ownerReference a Job puts on its pods (`metav1.NewControllerRef`). */
export function jobControllerRef(job: Job): OwnerReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata.name ?? '',
    uid: job.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * `generateName` of an Indexed pod: `<job>-<index>-`, the job part cut so the whole prefix stays
 * within 58 characters while `-<index>-` is kept.
 */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  if (prefix.length <= MAX_GENERATED_NAME_LENGTH) return prefix;
  return prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix;
}

/** `generateName` of a NonIndexed pod: `<job>-`, cut to 58 characters. */
export function podGenerateName(jobName: string): string {
  const prefix = `${jobName}-`;
  return prefix.length <= MAX_GENERATED_NAME_LENGTH ? prefix : prefix.slice(0, MAX_GENERATED_NAME_LENGTH);
}

function withIndexEnv(c: Container): Container {
  const env = c.env ?? [];
  if (env.some((e) => e.name === COMPLETION_INDEX_ENV_NAME)) return c;
  return {
    ...c,
    env: [...env, { name: COMPLETION_INDEX_ENV_NAME, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } }],
  };
}

/**
 * Build the pod to create for `job`. Guarantees:
 * - labels = template labels + `batch.kubernetes.io/job-name`, `job-name`, `controller-uid`,
 *   `batch.kubernetes.io/controller-uid`; annotations = template annotations;
 * - a controller ownerReference to the Job (controller and blockOwnerDeletion true);
 * - the `batch.kubernetes.io/job-tracking` finalizer;
 * - Indexed: annotation and label `batch.kubernetes.io/job-completion-index`, env
 *   `JOB_COMPLETION_INDEX` (downward API on that annotation) in every container and init container
 *   that lacks it, hostname `<job>-<index>`, generateName `<job>-<index>-`, and with
 *   backoffLimitPerIndex the index failure-count annotations; with the kjobs annotation
 *   `kjobs.io/rerun-indexes` on the Job, `kjobs.io/original-completion-index` (the index re-run);
 * - NonIndexed: generateName `<job>-`.
 * The template is never mutated.
 */
export function buildPodForJob(job: Job, opts: PodForJobOptions = {}): Pod {
  const jobName = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  const tmpl = cloneJson(job.spec.template);
  const tmeta = tmpl.metadata ?? {};
  const labels: Record<string, string> = {
    ...(tmeta.labels ?? {}),
    [JOB_NAME_LABEL]: jobName,
    [LEGACY_JOB_NAME_LABEL]: jobName,
    [CONTROLLER_UID_LABEL]: uid,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
  };
  const annotations: Record<string, string> = { ...(tmeta.annotations ?? {}) };
  const finalizers = [...(tmeta.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const spec = tmpl.spec;
  let generateName = podGenerateName(jobName);
  if (opts.index !== undefined) {
    const ix = String(opts.index);
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = ix;
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = ix;
    const original = originalIndexOf(job, opts.index);
    if (original !== undefined) annotations[ORIGINAL_INDEX_ANNOTATION] = String(original);
    spec.containers = spec.containers.map(withIndexEnv);
    if (spec.initContainers) spec.initContainers = spec.initContainers.map(withIndexEnv);
    spec.hostname = `${jobName}-${opts.index}`;
    generateName = podGenerateNameWithIndex(jobName, opts.index);
    if (opts.indexFailureCounts) {
      annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(opts.indexFailureCounts.failed);
      if (opts.indexFailureCounts.ignored > 0) annotations[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(opts.indexFailureCounts.ignored);
    }
  }
  const metadata: Pod['metadata'] = {
    generateName,
    namespace: job.metadata.namespace,
    labels,
    annotations,
    ownerReferences: [jobControllerRef(job)],
    finalizers,
  };
  if (metadata.namespace === undefined) delete metadata.namespace;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
