import { ApiError, podReferences, type KObject } from '@kjobs/api';
import type { Identity } from './auth.js';

/**
 * Authorization: who may do what. One pure decision, `authorize(identity, attributes)`, modelled
 * on Kubernetes' RBAC defaults plus the Node authorizer and the NodeRestriction admission plugin:
 *
 * | identity | may |
 * |---|---|
 * | group `system:masters` | everything |
 * | `system:kube-scheduler` | read pods, nodes, events, leases, namespaces; create `pods/binding`; update/patch `pods/status`; write events; its own Lease `kube-system/kube-scheduler` |
 * | `system:kube-controller-manager` | everything on jobs, cronjobs, replicasets, pods, events, leases, nodes (and their status); read services, namespaces |
 * | `system:node:<n>` in group `system:nodes` | read pods, services, nodes, its Lease namespace; get a ConfigMap or Secret only while a pod bound to it refers to it (env, envFrom, volumes, imagePullSecrets — the node authorizer's graph); create/update/patch only its own Node (and its status) and its own Lease `kube-node-lease/<n>`; update/patch `pods/status` and delete only pods bound to it (`spec.nodeName == n`); write events |
 * | `system:memq` | read (get/list/watch) resources except secrets, no subresources |
 * | anyone else | nothing on resources |
 *
 * Non-resource paths (discovery, /version, /openapi) are open to every authenticated user except
 * `system:anonymous`; `/metrics` is for `system:masters` only.
 *
 * A denial is a 403 `Status` worded as kube-apiserver words it:
 * `pods "x" is forbidden: User "system:node:node-1" cannot patch resource "pods/status" in API group "" in the namespace "default"`.
 */

/** Kubernetes' request verbs (`watch` also covers the NATS `changes` catch-up). */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** What a resource request is about. */
export interface ResourceAttributes {
  verb: Verb;
  group: string;
  /** Plural resource, e.g. "pods". */
  resource: string;
  subresource?: string;
  /** "" for cluster-scoped resources and all-namespace requests. */
  namespace: string;
  /** Absent for collection requests (list, watch, create, deletecollection). */
  name?: string;
  /**
   * The stored object, for rules that depend on it (a node's pods): `null` when the front end
   * looked and found nothing, `undefined` when it did not look (such rules then deny: fail closed).
   */
  before?: KObject | null;
  /** The decoded request body (a create's name comes from here). */
  after?: unknown;
  /**
   * The pods bound to the requesting node in the request's namespace, for a node's get of a
   * ConfigMap or Secret; `undefined` when the front end did not look (such rules then deny).
   */
  nodePods?: readonly KObject[];
}

/** A request for a path that is not a resource (discovery, /version, /metrics). */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

/** The decision: allowed, or the Forbidden error to answer with. */
export type Decision = { allowed: true } | { allowed: false; error: ApiError };

const READ: readonly Verb[] = ['get', 'list', 'watch'];
const WRITE_EVENT: readonly Verb[] = ['create', 'update', 'patch'];
const ALL: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** One grant: verbs on resources ("pods", "pods/status"), optionally limited to namespaces and names. */
interface Rule {
  verbs: readonly Verb[];
  /** `*` means every resource but secrets without a subresource; subresources must be named ("pods/status"). */
  resources: readonly string[] | '*';
  namespaces?: readonly string[];
  /** Names the request (or, for create, the body) must carry. */
  names?: readonly string[];
  /** A further condition on the request (the node restriction); false means this rule does not grant it. */
  when?: (a: ResourceAttributes) => boolean;
}

const SCHEDULER: readonly Rule[] = [
  { verbs: READ, resources: ['pods', 'nodes', 'events', 'leases', 'namespaces'] },
  { verbs: ['create'], resources: ['pods/binding'] },
  { verbs: ['update', 'patch'], resources: ['pods/status'] },
  { verbs: WRITE_EVENT, resources: ['events'] },
  { verbs: ['create', 'update', 'patch'], resources: ['leases'], namespaces: ['kube-system'], names: ['kube-scheduler'] },
];

const CONTROLLER_MANAGER: readonly Rule[] = [
  {
    verbs: ALL,
    resources: ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status', 'replicasets', 'replicasets/status', 'replicasets/scale',
      'pods', 'pods/status', 'pods/eviction', 'events', 'leases', 'nodes', 'nodes/status'],
  },
  { verbs: READ, resources: ['services', 'namespaces'] },
];

const MEMQ: readonly Rule[] = [{ verbs: READ, resources: '*' }];

/** The rules of node `n` (the Node authorizer and NodeRestriction, as far as kjobs needs them). */
function nodeRules(n: string): readonly Rule[] {
  const boundHere = (a: ResourceAttributes) => a.before === null || (a.before !== undefined && podNode(a.before) === n);
  return [
    { verbs: READ, resources: ['pods', 'services', 'nodes'] },
    { verbs: ['get'], resources: ['configmaps'], when: (a) => referencedHere(a, 'configMaps') },
    { verbs: ['get'], resources: ['secrets'], when: (a) => referencedHere(a, 'secrets') },
    { verbs: READ, resources: ['leases'], namespaces: ['kube-node-lease'] },
    { verbs: ['create', 'update', 'patch'], resources: ['nodes', 'nodes/status'], names: [n] },
    { verbs: ['update', 'patch'], resources: ['pods/status'], when: boundHere },
    { verbs: ['delete'], resources: ['pods'], when: boundHere },
    { verbs: WRITE_EVENT, resources: ['events'] },
    { verbs: ['create', 'update', 'patch'], resources: ['leases'], namespaces: ['kube-node-lease'], names: [n] },
  ];
}

/** Does a pod bound to the node (the loaded `nodePods`) name this ConfigMap / Secret? */
function referencedHere(a: ResourceAttributes, kind: 'configMaps' | 'secrets'): boolean {
  if (a.name === undefined || a.nodePods === undefined) return false;
  return a.nodePods.some((p) => podReferences(p as never)[kind].has(a.name!));
}

const NODE_PREFIX = 'system:node:';

/** True for identities that may do anything. */
export function isMaster(id: Identity): boolean {
  return id.groups.includes('system:masters');
}

/** The node a kubelet identity speaks for (user `system:node:<n>` in group `system:nodes`), else undefined. */
export function nodeOf(id: Identity): string | undefined {
  if (!id.user.startsWith(NODE_PREFIX) || !id.groups.includes('system:nodes')) return undefined;
  const n = id.user.slice(NODE_PREFIX.length);
  return n || undefined;
}

function rulesOf(id: Identity): readonly Rule[] {
  const node = nodeOf(id);
  if (node) return nodeRules(node);
  switch (id.user) {
    case 'system:kube-scheduler': return SCHEDULER;
    case 'system:kube-controller-manager': return CONTROLLER_MANAGER;
    case 'system:memq': return MEMQ;
    default: return [];
  }
}

/** Decide a resource request. Pure: everything it looks at is in its arguments. */
export function authorize(id: Identity, a: ResourceAttributes): Decision {
  if (isMaster(id)) return { allowed: true };
  if (rulesOf(id).some((r) => grants(r, a))) return { allowed: true };
  return { allowed: false, error: forbiddenResource(id, a) };
}

/** Decide a request for a non-resource path. */
export function authorizeNonResource(id: Identity, a: NonResourceAttributes): Decision {
  if (isMaster(id)) return { allowed: true };
  const open = a.verb === 'get' && id.user !== 'system:anonymous' && a.path !== '/metrics';
  if (open) return { allowed: true };
  return { allowed: false, error: new ApiError(403, 'Forbidden', `forbidden: User "${id.user}" cannot ${a.verb} path "${a.path}"`, {}) };
}

/**
 * Does this identity's decision need the stored object? Only a node's writes to pods do (is the
 * pod bound to it?). The front ends read it before the write; that read cannot go stale for this
 * question because `spec.nodeName` never changes once set (binding is once-only and validation
 * keeps it immutable).
 */
export function needsStoredObject(id: Identity, a: Pick<ResourceAttributes, 'verb' | 'resource' | 'name'>): boolean {
  return !isMaster(id) && nodeOf(id) !== undefined && a.resource === 'pods' && a.name !== undefined
    && (a.verb === 'update' || a.verb === 'patch' || a.verb === 'delete');
}

/**
 * Does the decision need the node's pods? Only a node's get of one ConfigMap or Secret does. The
 * list is read at request time, so a pod deleted or not yet bound grants nothing.
 */
export function needsNodePods(id: Identity, a: Pick<ResourceAttributes, 'verb' | 'resource' | 'name'>): boolean {
  return !isMaster(id) && nodeOf(id) !== undefined && (a.resource === 'configmaps' || a.resource === 'secrets')
    && a.verb === 'get' && a.name !== undefined;
}

/**
 * Does the decision need the request body? Only creates by non-masters do (a create's name is in
 * the body), so admin requests never decode a body twice.
 */
export function needsBody(id: Identity, a: Pick<ResourceAttributes, 'verb'>): boolean {
  return !isMaster(id) && a.verb === 'create';
}

function grants(r: Rule, a: ResourceAttributes): boolean {
  if (!r.verbs.includes(a.verb)) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (r.resources === '*' ? a.subresource !== undefined || a.resource === 'secrets' : !r.resources.includes(full)) return false;
  if (r.namespaces && !r.namespaces.includes(a.namespace)) return false;
  if (r.names) {
    const name = a.name ?? (a.verb === 'create' ? bodyName(a.after) : undefined);
    if (name === undefined || !r.names.includes(name)) return false;
  }
  return r.when ? r.when(a) : true;
}

function bodyName(body: unknown): string | undefined {
  const meta = (body as { metadata?: unknown } | undefined)?.metadata;
  const name = meta && typeof meta === 'object' ? (meta as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function podNode(o: KObject): string | undefined {
  const n = (o.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof n === 'string' && n !== '' ? n : undefined;
}

/** kube-apiserver's wording (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go). */
function forbiddenResource(id: Identity, a: ResourceAttributes): ApiError {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const name = a.name ?? (a.verb === 'create' ? bodyName(a.after) : undefined);
  const what = name !== undefined ? `${qualified} "${name}"` : qualified;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const msg = `${what} is forbidden: User "${id.user}" cannot ${a.verb} resource "${full}" in API group "${a.group}" ${scope}`;
  return new ApiError(403, 'Forbidden', msg, { ...(name !== undefined ? { name } : {}), group: a.group, kind: a.resource });
}

/** Where a front end gets what a decision may need. */
export interface AuthzLoaders {
  /** The stored object (`null` when there is none). */
  stored: () => Promise<KObject | null>;
  /** The decoded request body. */
  body: () => unknown;
  /** The pods bound to node `node` in the request's namespace (absent: such rules deny). */
  nodePods?: (node: string) => Promise<readonly KObject[]>;
}

/**
 * The front ends' one call: decide, reading the stored object or the body only when the rules
 * need them; throws the Forbidden `ApiError` on denial.
 * does: 1. masters pass at once  2. load what the decision needs  3. decide.
 */
export async function checkAccess(id: Identity, a: Omit<ResourceAttributes, 'before' | 'after'>, load: AuthzLoaders): Promise<void> {
  if (isMaster(id)) return;
  const full: ResourceAttributes = { ...a };
  if (needsStoredObject(id, a)) full.before = await load.stored();
  if (needsBody(id, a)) full.after = load.body();
  if (needsNodePods(id, a) && load.nodePods) full.nodePods = await load.nodePods(nodeOf(id)!);
  const d = authorize(id, full);
  if (!d.allowed) throw d.error;
}
