/**
 * The garbage collector's view of the object graph, read from the shared informers: objects by
 * kind and name, owners by uid, dependents by owner uid. Keys are `<Kind>/<namespace>/<name>`.
 */
import type { KObject } from '@kjobs/api';
import type { Informer } from '@kjobs/client';
import type { Shared } from '../shared.js';
import type { GcOwner } from './decide-dependent.js';

/** The kinds the GC watches. */
export type GcKind = 'Pod' | 'Job' | 'CronJob' | 'ReplicaSet';
/** The kinds that own others (looked up by uid). */
const OWNER_KINDS = ['Job', 'CronJob', 'ReplicaSet'] as const;
/** The kinds that have owners the GC collects. */
const DEPENDENT_KINDS = ['Pod', 'Job'] as const;

/** An object of the graph with its kind and queue key. */
export interface GcNode {
  kind: GcKind;
  obj: KObject;
  key: string;
}

/** Reads of the object graph (from caches). */
export interface GcGraph {
  /** Every kind with its informer, for the controller's handlers. */
  readonly informers: Readonly<Record<GcKind, Informer<KObject>>>;
  /** The object of `kind` named `namespace/name`. */
  get(kind: GcKind, namespace: string, name: string): KObject | undefined;
  /** The owner with this uid (a Job, CronJob or ReplicaSet), if it exists. */
  owner(uid: string): GcOwner | undefined;
  /** The Pods and Jobs whose ownerReferences name this uid. */
  dependentsOf(uid: string): GcNode[];
}

/** The queue key of an object. */
export function gcKey(kind: GcKind, o: KObject): string {
  return `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The graph over the shared informers (their `uid` and `owner` indexes). */
export function informerGraph(s: Shared): GcGraph {
  const informers = { Pod: s.pods, Job: s.jobs, CronJob: s.cronjobs, ReplicaSet: s.replicasets } as unknown as Record<GcKind, Informer<KObject>>;
  return {
    informers,
    get: (kind, namespace, name) => informers[kind].getByName(namespace, name),
    owner: (uid) => {
      for (const kind of OWNER_KINDS) {
        const o = informers[kind].byIndex('uid', uid)[0];
        if (o) return { uid, deletionTimestamp: o.metadata.deletionTimestamp, finalizers: o.metadata.finalizers };
      }
      return undefined;
    },
    dependentsOf: (uid) => DEPENDENT_KINDS.flatMap((kind) => informers[kind].byIndex('owner', uid).map((obj) => ({ kind, obj, key: gcKey(kind, obj) }))),
  };
}
