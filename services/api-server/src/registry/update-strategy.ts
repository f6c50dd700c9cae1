import type { KObject, ObjectMeta } from '@kjobs/api';
import { clone } from '../object-meta.js';

/**
 * What an update may change, per Kubernetes' registry strategies (pkg/registry/<group>/<kind>/
 * strategy.go, `PrepareForUpdate` of the main and the status strategy); the generic part every
 * kind's strategy starts from (strategy.ts):
 *
 *   main resource (PUT/PATCH jobs/NAME)   spec and metadata; status is kept from the stored
 *                                         object for every kind with a /status subresource
 *   status (PUT/PATCH jobs/NAME/status)   status and metadata (labels, annotations, finalizers…);
 *                                         spec is kept from the stored object
 *
 * Kind by kind: Job, CronJob, ReplicaSet, Service, Node, Namespace reset only the spec on a status
 * write. Pod's status strategy also keeps ownerReferences (registry/pod.ts); Namespace's main
 * strategy also keeps spec.finalizers (registry/namespace.ts). None of the built-in strategies
 * calls ResetObjectMetaForStatus (that is opt-in, for CRDs). System fields (name, namespace, uid,
 * creationTimestamp, generation, deletion fields) always come from the stored object.
 */

/** The object a write to `/status` stores: the incoming status and metadata, the stored spec. */
export function prepareStatusUpdate(cur: KObject, incoming: KObject, namespaced: boolean): KObject {
  const next: KObject = { ...specFields(cur), apiVersion: cur.apiVersion, kind: cur.kind, metadata: keepSystemMeta(cur, incoming, namespaced) };
  if (incoming.status !== undefined) next.status = clone(incoming.status);
  return next;
}

/** The object a main-resource update stores: incoming spec and metadata; with a status subresource, the stored status. */
export function prepareMainUpdate(cur: KObject, incoming: KObject, opts: { namespaced: boolean; hasStatus: boolean }): KObject {
  const next = clone(incoming);
  next.apiVersion = cur.apiVersion;
  next.kind = cur.kind;
  next.metadata = keepSystemMeta(cur, incoming, opts.namespaced);
  if (opts.hasStatus) {
    if (cur.status === undefined) delete next.status;
    else next.status = clone(cur.status);
  }
  return next;
}

/** The incoming metadata with the fields only the server sets taken from the stored object. */
function keepSystemMeta(cur: KObject, incoming: KObject, namespaced: boolean): ObjectMeta {
  const meta: ObjectMeta = {
    ...clone(incoming.metadata ?? {}),
    name: cur.metadata.name,
    uid: cur.metadata.uid,
    creationTimestamp: cur.metadata.creationTimestamp,
    generation: cur.metadata.generation,
    deletionTimestamp: cur.metadata.deletionTimestamp,
    deletionGracePeriodSeconds: cur.metadata.deletionGracePeriodSeconds,
  };
  if (namespaced) meta.namespace = cur.metadata.namespace;
  else delete meta.namespace;
  delete meta.managedFields;
  delete meta.selfLink;
  for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'uid', 'creationTimestamp'] as const) {
    if (meta[k] === undefined || meta[k] === null) delete meta[k];
  }
  return meta;
}

/** Every top-level field but apiVersion, kind, metadata and status: the spec (or a kind's spec-like fields). */
export function specFields(o: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  void _m; void _s; void _a; void _k;
  return clone(rest);
}
