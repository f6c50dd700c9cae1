/**
 * The validation entry points the api-server calls after defaulting (and, for a new Job, after
 * setting the uid and generating the selector): one function per kind, chosen by `kind`.
 */
import type { KObject, StatusCause } from '../types.js';
import { resourceForKind } from '../resources.js';
import { type FieldCause } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import { validateJob, validateJobUpdate } from './job.js';
import { validateJobStatusUpdate } from './job-status.js';
import { validateCronJob, validateCronJobUpdate } from './cronjob.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateReplicaSet, validateReplicaSetUpdate } from './replicaset.js';
import { validateNamespace, validateNamespaceUpdate } from './namespace.js';
import { validateNode, validateNodeUpdate } from './node.js';
import { validateEvent, validateEventUpdate } from './event.js';
import { validateLease, validateLeaseUpdate } from './lease.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config-data.js';

type Obj = Record<string, unknown>;
type Rules = { create: (o: Obj) => FieldCause[]; update: (o: Obj, old: Obj) => FieldCause[] };

const RULES: Record<string, Rules> = {
  Pod: { create: validatePod, update: validatePodUpdate },
  Job: { create: (o) => validateJob(o), update: validateJobUpdate },
  CronJob: { create: validateCronJob, update: validateCronJobUpdate },
  Service: { create: validateService, update: validateServiceUpdate },
  ReplicaSet: { create: validateReplicaSet, update: validateReplicaSetUpdate },
  Namespace: { create: validateNamespace, update: validateNamespaceUpdate },
  Node: { create: validateNode, update: validateNodeUpdate },
  Event: { create: validateEvent, update: validateEventUpdate },
  Lease: { create: validateLease, update: validateLeaseUpdate },
  ConfigMap: { create: validateConfigMap, update: validateConfigMapUpdate },
  Secret: { create: validateSecret, update: validateSecretUpdate },
};

/** Drop repeated causes (Kubernetes runs some checks twice on update; its message dedups them too). */
function dedupe(causes: FieldCause[]): StatusCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const id = `${c.reason}\u0000${c.field}\u0000${c.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function metaOnly(kind: string): Rules {
  const namespaced = resourceForKind(kind)?.namespaced ?? true;
  return {
    create: (o) => validateObjectMeta(o.metadata, { namespaced, nameFn: nameIsDNSSubdomain }),
    update: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  };
}

/**
 * Validate an object of `kind` as Kubernetes 1.32 would: a create when `old` is absent, an update
 * (including the immutable-field rules) when it is given. Returns Kubernetes-style causes with
 * Kubernetes' exact messages, empty when valid; never throws, whatever JSON it is given.
 */
export function validate(kind: string, obj: KObject, old?: KObject): StatusCause[] {
  const rules = RULES[kind] ?? metaOnly(kind);
  const o = obj as unknown as Obj;
  return dedupe(old ? rules.update(o, old as unknown as Obj) : rules.create(o));
}

/**
 * Validate a write to the `/status` subresource: metadata update rules plus the kind's status
 * invariants (Job: counters, conditions, completionTime, indexes; Pod: nodeName, terminated
 * containers). The api-server keeps the stored spec on a status write.
 */
export function validateStatusUpdate(kind: string, obj: KObject, old: KObject): StatusCause[] {
  const o = obj as unknown as Obj;
  const before = old as unknown as Obj;
  switch (kind) {
    case 'Job':
      return dedupe(validateJobStatusUpdate(o, before));
    case 'Pod':
      return dedupe(validatePodStatusUpdate(o, before));
    default:
      return dedupe(validateObjectMetaUpdate(o.metadata, before.metadata));
  }
}
