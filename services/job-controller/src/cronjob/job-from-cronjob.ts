/**
 * The Job that `kubectl create job <name> --from=cronjob/<cronjob>` builds (kubectl
 * create_job.go `createJobFromCronJob`), so servers and tests can produce it the same way.
 */
import type { CronJob, Job } from '@kjobs/api';
import { cloneJson } from '@kjobs/api';
import { cronJobControllerRef } from './scheduled-job.js';

/**
 * A Job named `name` from the CronJob's template: annotation `cronjob.kubernetes.io/instantiate:
 * manual` plus the template's annotations, the template's labels, a controller ownerReference to
 * the CronJob without blockOwnerDeletion, and spec = jobTemplate.spec.
 */
export function jobFromCronJob(cj: CronJob, name: string): Job {
  const tmpl = cloneJson(cj.spec.jobTemplate);
  const annotations: Record<string, string> = { 'cronjob.kubernetes.io/instantiate': 'manual', ...(tmpl.metadata?.annotations ?? {}) };
  const metadata: Job['metadata'] = {
    name,
    annotations,
    labels: { ...(tmpl.metadata?.labels ?? {}) },
    ownerReferences: [cronJobControllerRef(cj, false)],
  };
  if (cj.metadata.namespace !== undefined) metadata.namespace = cj.metadata.namespace;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: tmpl.spec };
}
