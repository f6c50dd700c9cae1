/**
 * The defaulting entry point the api-server calls before validation, on create and update alike.
 */
import type { KObject } from '../types.js';
import { defaultCronJob, defaultJob } from './job-defaults.js';
import { defaultNamespace, defaultNode, defaultReplicaSet, defaultService } from './kind-defaults.js';
import { defaultPod } from './pod-defaults.js';
import { defaultSecret } from './secret-defaults.js';
import { cloneJson } from '../patch/json-value.js';

type Obj = Record<string, unknown>;

const DEFAULTERS: Record<string, (o: Obj) => void> = {
  Pod: defaultPod,
  Job: defaultJob,
  CronJob: defaultCronJob,
  ReplicaSet: defaultReplicaSet,
  Service: defaultService,
  Namespace: defaultNamespace,
  Node: defaultNode,
  Secret: defaultSecret,
};

/**
 * Kubernetes 1.32 defaulting for an object of `kind`: returns a new object with every unset
 * defaulted field filled in; the input is never mutated. Kinds without defaults (Event, Lease,
 * unknown kinds) come back as an unchanged copy. Tolerates malformed input (validation reports it).
 */
export function applyDefaults(kind: string, obj: KObject): KObject {
  const out = cloneJson(obj);
  DEFAULTERS[kind]?.(out as unknown as Obj);
  return out;
}
