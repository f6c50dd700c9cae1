/**
 * The Job a CronJob starts for a scheduled time (Kubernetes `getJobFromTemplate2`) and the helpers
 * that relate Jobs to their CronJob.
 */
import type { CronJob, Job, ObjectReference, OwnerReference } from '@kjobs/api';
import { cloneJson } from '@kjobs/api';
import { formatRfc3339InZone } from '@kjobs/api';

/** Annotation recording the scheduled time a Job was created for. */
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The controller ownerReference a CronJob puts on its Jobs. */
export function cronJobControllerRef(cj: CronJob, blockOwnerDeletion = true): OwnerReference {
  const ref: OwnerReference = { apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name ?? '', uid: cj.metadata.uid ?? '', controller: true };
  if (blockOwnerDeletion) ref.blockOwnerDeletion = true;
  return ref;
}

/**
 * The deterministic Job name for a scheduled time: `<cronjob>-<minutes since the epoch>`. The name
 * is the lock that stops a restarted controller from starting the same run twice.
 */
export function scheduledJobName(cj: CronJob, scheduledTime: Date): string {
  return `${cj.metadata.name ?? ''}-${Math.floor(Math.floor(scheduledTime.getTime() / 1000) / 60)}`;
}

/**
 * Build the Job for `scheduledTime`: name from {@link scheduledJobName}; labels and annotations
 * copied from `jobTemplate.metadata` only; annotation
 * `batch.kubernetes.io/cronjob-scheduled-timestamp` = the time in the CronJob's zone (UTC when
 * unset), RFC 3339; a controller ownerReference (blockOwnerDeletion true); spec = jobTemplate.spec.
 */
export function buildScheduledJob(cj: CronJob, scheduledTime: Date, defaultZone = 'UTC'): Job {
  const tmpl = cloneJson(cj.spec.jobTemplate);
  const annotations = { ...(tmpl.metadata?.annotations ?? {}) };
  annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION] = formatRfc3339InZone(scheduledTime.getTime(), cj.spec.timeZone ?? defaultZone);
  const metadata: Job['metadata'] = {
    name: scheduledJobName(cj, scheduledTime),
    namespace: cj.metadata.namespace,
    labels: { ...(tmpl.metadata?.labels ?? {}) },
    annotations,
    ownerReferences: [cronJobControllerRef(cj)],
  };
  if (metadata.namespace === undefined) delete metadata.namespace;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: tmpl.spec };
}

/** An ObjectReference to a Job, as the CronJob's `status.active` holds it. */
export function jobReference(job: Job): ObjectReference {
  const ref: ObjectReference = { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1' };
  if (job.metadata.resourceVersion !== undefined) ref.resourceVersion = job.metadata.resourceVersion;
  return ref;
}

/** True when the Job's controller ownerReference points at this CronJob (by uid). */
export function isControlledBy(job: Job, cj: CronJob): boolean {
  return (job.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === cj.metadata.uid);
}
