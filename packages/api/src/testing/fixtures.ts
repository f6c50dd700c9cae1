/**
 * Test-only builders: minimal manifests as a user writes them, turned into what the api-server
 * validates (defaults applied, uid set, Job selector generated). Not exported from the package.
 */
import { applyDefaults } from '../defaults/apply-defaults.js';
import { generateJobSelector } from '../defaults/job-defaults.js';
import type { Job, KObject } from '../types.js';

/** A plain JSON object, for building test inputs without fighting the typed shapes. */
export type Json = Record<string, any>;  

/** The chapter's one-shot Job, as written in the book. */
export function jobManifest(): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'oneshot', namespace: 'default' },
    spec: {
      template: {
        spec: {
          containers: [{ name: 'kuard', image: 'gcr.io/kuar-demo/kuard-amd64:blue', imagePullPolicy: 'Always', command: ['/kuard'], args: ['--keygen-enable'] }],
          restartPolicy: 'OnFailure',
        },
      },
    },
  };
}

/** Default, set a uid, generate the selector: the Job the api-server validates on create. */
export function prepareJob(manifest: Json, uid = 'uid-1'): Json {
  const defaulted = applyDefaults('Job', manifest as KObject) as Json;
  defaulted.metadata.uid = uid;
  return generateJobSelector(defaulted as Job) as Json;
}

/** A ready-to-validate Job; `edit` changes the manifest before preparation. */
export function validJob(edit: (m: Json) => void = () => {}): Json {
  const m = jobManifest();
  edit(m);
  return prepareJob(m);
}

/** A minimal Pod manifest, defaulted. */
export function validPod(edit: (m: Json) => void = () => {}): Json {
  const m: Json = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'busybox', command: ['sleep', '10'] }] },
  };
  edit(m);
  return applyDefaults('Pod', m as KObject) as Json;
}

/** The chapter's CronJob manifest, defaulted. */
export function validCronJob(edit: (m: Json) => void = () => {}): Json {
  const m: Json = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'example-cron', namespace: 'default' },
    spec: {
      schedule: '0 */5 * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'batch-job', image: 'my-batch-image' }], restartPolicy: 'OnFailure' } } } },
    },
  };
  edit(m);
  return applyDefaults('CronJob', m as KObject) as Json;
}

/** A deep copy, so table rows never share state. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
