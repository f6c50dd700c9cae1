/**
 * batch/v1 Job and CronJob defaulting (Kubernetes 1.32 `SetDefaults_Job`, `SetDefaults_CronJob`)
 * and the job strategy's `generateSelector`.
 */
import type { Job } from '../types.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { cloneJson } from '../patch/json-value.js';

type Obj = Record<string, unknown>;

/** Kubernetes' label keys for Job pods. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const MAX_INT32 = 2147483647;

function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function isEmptyMap(v: unknown): boolean {
  const r = rec(v);
  return !r || Object.keys(r).length === 0;
}

/**
 * SetDefaults_Job: parallelism/completions (both 1 when both unset; else parallelism 1 and
 * completions left unset for work-queue mode), backoffLimit 6 (MaxInt32 with backoffLimitPerIndex),
 * completionMode NonIndexed, suspend false, manualSelector false, podReplacementPolicy (Failed with
 * a podFailurePolicy, else TerminatingOrFailed), onPodConditions status True, job labels copied from
 * the template when the job has none, and the pod template defaults.
 */
export function defaultJob(job: Obj): void {
  const spec = rec(job.spec);
  if (!spec) return;
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  const template = rec(spec.template);
  const templateLabels = rec(rec(template?.metadata)?.labels);
  const meta = rec(job.metadata);
  if (meta && templateLabels && isEmptyMap(meta.labels)) meta.labels = { ...templateLabels };
  if (spec.completionMode == null) spec.completionMode = 'NonIndexed';
  if (spec.suspend == null) spec.suspend = false;
  const pfp = rec(spec.podFailurePolicy);
  if (pfp && Array.isArray(pfp.rules)) {
    for (const rule of pfp.rules) {
      const conditions = rec(rule)?.onPodConditions;
      for (const pattern of Array.isArray(conditions) ? conditions : []) {
        const p = rec(pattern);
        if (p && !p.status) p.status = 'True';
      }
    }
  }
  if (spec.podReplacementPolicy == null) spec.podReplacementPolicy = pfp ? 'Failed' : 'TerminatingOrFailed';
  if (spec.manualSelector == null) spec.manualSelector = false;
  defaultPodTemplate(template);
}

/**
 * SetDefaults_CronJob: concurrencyPolicy Allow, suspend false, history limits 3 and 1; the job
 * template gets only pod template defaults (Kubernetes does not default a jobTemplate's JobSpec).
 */
export function defaultCronJob(cj: Obj): void {
  const spec = rec(cj.spec);
  if (!spec) return;
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  defaultPodTemplate(rec(rec(rec(spec.jobTemplate)?.spec)?.template));
}

/**
 * The job strategy's `generateSelector`, for a new Job after its uid is set: unless
 * `manualSelector` is true, the template gets `job-name`, `batch.kubernetes.io/job-name` (= name),
 * `controller-uid`, `batch.kubernetes.io/controller-uid` (= uid) where missing, and the selector
 * `matchLabels["batch.kubernetes.io/controller-uid"] = uid`. Labels the user set are kept (a
 * conflict is then reported by validation). Returns a new Job; the input is not changed.
 *
 * Why job labels follow: when the job had no labels, defaulting made `metadata.labels` the very
 * same map as the template labels in Kubernetes, so the generated labels appear on the Job too
 * (`kubectl get job -o yaml` shows them). Job labels equal to the template's are treated that way.
 */
export function generateJobSelector(job: Job): Job {
  const out = cloneJson(job);
  if (out.spec === null || typeof out.spec !== 'object' || out.spec.manualSelector === true) return out;
  const name = out.metadata.name ?? '';
  const uid = out.metadata.uid ?? '';
  out.spec.template ??= { spec: { containers: [] } };
  const template = out.spec.template;
  template.metadata ??= {};
  const before = { ...(template.metadata.labels ?? {}) };
  const labels = { ...before };
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  template.metadata.labels = labels;
  out.spec.selector ??= {};
  out.spec.selector.matchLabels ??= {};
  if (!(CONTROLLER_UID_LABEL in out.spec.selector.matchLabels)) out.spec.selector.matchLabels[CONTROLLER_UID_LABEL] = uid;
  const jobLabels = out.metadata.labels ?? {};
  const sameAsTemplate = Object.keys(jobLabels).length === Object.keys(before).length && Object.entries(before).every(([k, v]) => jobLabels[k] === v);
  if (sameAsTemplate) out.metadata.labels = { ...labels };
  return out;
}
