import {
  applyDefaults, mustResourceForKind, toTable, validate, validateStatusUpdate,
  type KObject, type ResourceInfo, type StatusCause, type Table, type ToTableOptions,
} from '@kjobs/api';
import type { DeletionRules } from '../deletion.js';
import { prepareMainUpdate, prepareStatusUpdate } from './update-strategy.js';

/**
 * Everything the api-server knows about one kind, as kube-apiserver's registry strategies
 * (pkg/registry/<group>/<kind>/strategy.go) hold it. The generic store (api-service.ts) calls these
 * and never asks which kind it is writing.
 *
 * Create: status reset (unless `keepStatusOnCreate`) → `applyDefaults` → `prepareForCreate` →
 * `validate`. Main-resource update: `prepareForUpdate` → `applyDefaults` → generation →
 * `validate(next, cur)`. Status update: `prepareForStatusUpdate` → `validateStatusUpdate`.
 */
export interface KindStrategy extends DeletionRules {
  readonly res: ResourceInfo;
  /** A create keeps the status the client sent (a kubelet registers its Node with status); default: a kind with /status starts without one. */
  readonly keepStatusOnCreate: boolean;
  /** Kubernetes 1.32 defaulting; returns a new object. */
  applyDefaults(obj: KObject): KObject;
  /** What the server adds to a new object after defaulting (a Job's selector, a pod's initial status). Returns a new object or `obj`. */
  prepareForCreate(obj: KObject): KObject;
  /** The object a main-resource update stores: which of the request's fields it may change. */
  prepareForUpdate(cur: KObject, incoming: KObject): KObject;
  /** The object a `/status` write stores. */
  prepareForStatusUpdate(cur: KObject, incoming: KObject): KObject;
  /** Causes of a create (`old` absent) or an update. */
  validate(obj: KObject, old?: KObject): StatusCause[];
  validateStatusUpdate(obj: KObject, old: KObject): StatusCause[];
  /** Field paths a fieldSelector may use besides metadata.name / metadata.namespace. */
  readonly fieldSelectors: readonly string[];
  /** The Table (`kubectl get`'s columns) of these objects. */
  toTable(objects: readonly KObject[], now: Date, opts?: ToTableOptions): Table;
}

/**
 * A kind's strategy: the generic behaviour (every rule by the kind's name in @kjobs/api, the
 * spec/status split of a kind with a /status subresource) with the kind's own parts over it.
 */
export function defineStrategy(kind: string, own: Partial<KindStrategy> = {}): KindStrategy {
  const res = mustResourceForKind(kind);
  const layout = { namespaced: res.namespaced, hasStatus: res.subresources.includes('status') };
  return {
    res,
    keepStatusOnCreate: false,
    applyDefaults: (o) => applyDefaults(kind, o),
    prepareForCreate: (o) => o,
    prepareForUpdate: (cur, incoming) => prepareMainUpdate(cur, incoming, layout),
    prepareForStatusUpdate: (cur, incoming) => prepareStatusUpdate(cur, incoming, res.namespaced),
    validate: (o, old) => validate(kind, o, old),
    validateStatusUpdate: (o, old) => validateStatusUpdate(kind, o, old),
    defaultPropagation: 'Background',
    fieldSelectors: res.fieldSelectors,
    toTable: (objects, now, opts) => toTable(kind, objects, now, opts),
    ...own,
  };
}
