import { describe, expect, it } from 'vitest';
import type { KObject } from '@kjobs/api';
import type { Identity } from './auth.js';
import { authorize, authorizeNonResource, checkAccess, needsBody, needsStoredObject, nodeOf, type ResourceAttributes, type Verb } from './authz.js';

const ADMIN: Identity = { user: 'admin', groups: ['system:masters'] };
const SCHED: Identity = { user: 'system:kube-scheduler', groups: ['system:kube-scheduler'] };
const KCM: Identity = { user: 'system:kube-controller-manager', groups: ['system:kube-controller-manager'] };
const MEMQ: Identity = { user: 'system:memq', groups: ['system:memq'] };
const NODE1: Identity = { user: 'system:node:node-1', groups: ['system:nodes'] };
const STRANGER: Identity = { user: 'alice', groups: ['developers'] };
const ANON: Identity = { user: 'system:anonymous', groups: ['system:unauthenticated'] };
/** Claims a node's name but is not in system:nodes: no node rights. */
const FAKE_NODE: Identity = { user: 'system:node:node-1', groups: [] };

const GROUP: Record<string, string> = { jobs: 'batch', cronjobs: 'batch', replicasets: 'apps', leases: 'coordination.k8s.io' };
const CLUSTER = new Set(['nodes', 'namespaces']);

function pod(nodeName?: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'default' }, spec: nodeName ? { nodeName } : {} } as KObject;
}

/** A pod bound to node-1 with this spec (the `nodePods` the front end loads). */
function refPod(spec: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'node-1', ...spec } } as KObject;
}

/** "verb resource[/sub] [ns/]name" → attributes; ns defaults to "default" for namespaced kinds, name "-" means none. */
function req(spec: string, extra: Partial<ResourceAttributes> = {}): ResourceAttributes {
  const [verb, full, where] = spec.split(' ') as [Verb, string, string | undefined];
  const [resource, subresource] = full.split('/') as [string, string | undefined];
  let namespace = CLUSTER.has(resource) ? '' : 'default';
  let name: string | undefined;
  if (where) {
    const parts = where.split('/');
    if (parts.length === 2) namespace = parts[0]!;
    const last = parts[parts.length - 1]!;
    name = last === '-' ? undefined : last;
  }
  return { verb, group: GROUP[resource] ?? '', resource, subresource, namespace, name, ...extra };
}

const allowed = (id: Identity, a: ResourceAttributes) => authorize(id, a).allowed;

describe('authorize: the role table', () => {
  const cases: [string, Identity, string, Partial<ResourceAttributes>, boolean][] = [
    // system:masters: everything, including what nobody else may do.
    ['admin reads logs', ADMIN, 'get pods/log x', {}, true],
    ['admin deletes a namespace', ADMIN, 'delete namespaces prod', {}, true],
    ['admin attaches', ADMIN, 'create pods/attach x', {}, true],
    // scheduler
    ['scheduler lists pods', SCHED, 'list pods', {}, true],
    ['scheduler watches nodes', SCHED, 'watch nodes', {}, true],
    ['scheduler binds', SCHED, 'create pods/binding x', {}, true],
    ['scheduler patches pod status', SCHED, 'patch pods/status x', {}, true],
    ['scheduler records events', SCHED, 'create events', {}, true],
    ['scheduler patches events', SCHED, 'patch events e1', {}, true],
    ['scheduler creates its lease', SCHED, 'create leases kube-system/-', { after: { metadata: { name: 'kube-scheduler' } } }, true],
    ['scheduler renews its lease', SCHED, 'update leases kube-system/kube-scheduler', {}, true],
    ['scheduler may not take the controller lease', SCHED, 'update leases kube-system/kube-controller-manager', {}, false],
    ['scheduler may not create another lease', SCHED, 'create leases kube-system/-', { after: { metadata: { name: 'kube-controller-manager' } } }, false],
    ['scheduler may not create its lease elsewhere', SCHED, 'create leases default/-', { after: { metadata: { name: 'kube-scheduler' } } }, false],
    ['scheduler may not create pods', SCHED, 'create pods', {}, false],
    ['scheduler may not delete pods', SCHED, 'delete pods x', {}, false],
    ['scheduler may not update a pod spec', SCHED, 'update pods x', {}, false],
    ['scheduler may not touch jobs', SCHED, 'list jobs', {}, false],
    ['scheduler may not update nodes', SCHED, 'update nodes node-1', {}, false],
    // controller manager
    ['kcm creates pods', KCM, 'create pods', {}, true],
    ['kcm deletes pods', KCM, 'delete pods x', {}, true],
    ['kcm patches pod status (node lifecycle)', KCM, 'patch pods/status x', {}, true],
    ['kcm updates job status', KCM, 'update jobs/status j', {}, true],
    ['kcm creates jobs (cronjobs)', KCM, 'create jobs', {}, true],
    ['kcm deletes cronjobs', KCM, 'delete cronjobs c', {}, true],
    ['kcm updates replicaset status', KCM, 'update replicasets/status r', {}, true],
    ['kcm updates node status', KCM, 'update nodes/status node-1', {}, true],
    ['kcm taints nodes', KCM, 'update nodes node-1', {}, true],
    ['kcm renews its lease', KCM, 'update leases kube-system/kube-controller-manager', {}, true],
    ['kcm watches node leases', KCM, 'watch leases', { namespace: '' }, true],
    ['kcm reads services', KCM, 'list services', {}, true],
    ['kcm may not write services', KCM, 'create services', {}, false],
    ['kcm may not delete namespaces', KCM, 'delete namespaces default', {}, false],
    ['kcm may not read logs', KCM, 'get pods/log x', {}, false],
    // memq: reading only
    ['memq reads jobs', MEMQ, 'get jobs j', {}, true],
    ['memq lists pods', MEMQ, 'list pods', {}, true],
    ['memq may not read logs', MEMQ, 'get pods/log x', {}, false],
    ['memq may not create', MEMQ, 'create pods', {}, false],
    // nodes
    ['node lists all pods', NODE1, 'list pods', { namespace: '' }, true],
    ['node reads services', NODE1, 'list services', {}, true],
    ['node reads other nodes', NODE1, 'get nodes node-2', {}, true],
    ['node registers itself', NODE1, 'create nodes -', { after: { metadata: { name: 'node-1' } } }, true],
    ['node may not register another node', NODE1, 'create nodes -', { after: { metadata: { name: 'node-2' } } }, false],
    ['node may not register a nameless node', NODE1, 'create nodes -', { after: { metadata: {} } }, false],
    ['node updates itself', NODE1, 'update nodes node-1', {}, true],
    ['node updates its status', NODE1, 'update nodes/status node-1', {}, true],
    ['node may not update another node', NODE1, 'update nodes node-2', {}, false],
    ['node may not patch another node status', NODE1, 'patch nodes/status node-2', {}, false],
    ['node may not delete nodes', NODE1, 'delete nodes node-1', {}, false],
    ['node updates status of its pod', NODE1, 'update pods/status x', { before: pod('node-1') }, true],
    ['node patches status of its pod', NODE1, 'patch pods/status x', { before: pod('node-1') }, true],
    ['node may not update status of a pod on node-2', NODE1, 'update pods/status x', { before: pod('node-2') }, false],
    ['node may not update status of an unbound pod', NODE1, 'update pods/status x', { before: pod() }, false],
    ['node: a missing pod is left to the store (404)', NODE1, 'update pods/status x', { before: null }, true],
    ['node: stored pod not looked up → denied', NODE1, 'update pods/status x', {}, false],
    ['node deletes its pod', NODE1, 'delete pods x', { before: pod('node-1') }, true],
    ['node may not delete a pod on node-2', NODE1, 'delete pods x', { before: pod('node-2') }, false],
    ['node may not update a pod spec', NODE1, 'update pods x', { before: pod('node-1') }, false],
    ['node may not create pods', NODE1, 'create pods', {}, false],
    ['node may not deletecollection pods', NODE1, 'deletecollection pods', {}, false],
    ['node may not bind', NODE1, 'create pods/binding x', {}, false],
    ['node may not read logs', NODE1, 'get pods/log x', {}, false],
    ['node may not attach', NODE1, 'create pods/attach x', {}, false],
    ['node records events', NODE1, 'create events', {}, true],
    ['node patches events', NODE1, 'patch events e', {}, true],
    ['node may not delete events', NODE1, 'delete events e', {}, false],
    ['node reads its lease', NODE1, 'get leases kube-node-lease/node-1', {}, true],
    ['node creates its lease', NODE1, 'create leases kube-node-lease/-', { after: { metadata: { name: 'node-1' } } }, true],
    ['node renews its lease', NODE1, 'update leases kube-node-lease/node-1', {}, true],
    ['node may not renew another lease', NODE1, 'update leases kube-node-lease/node-2', {}, false],
    ['node may not create another lease', NODE1, 'create leases kube-node-lease/-', { after: { metadata: { name: 'node-2' } } }, false],
    ['node may not write the scheduler lease', NODE1, 'update leases kube-system/kube-scheduler', {}, false],
    ['node may not read jobs', NODE1, 'list jobs', {}, false],
    ['node gets a secret its pod mounts', NODE1, 'get secrets creds', { nodePods: [refPod({ volumes: [{ name: 'v', secret: { secretName: 'creds' } }] })] }, true],
    ['node gets a configmap its pod reads in env', NODE1, 'get configmaps cfg', { nodePods: [refPod({ containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }] })] }, true],
    ['node gets its pod\'s image pull secret', NODE1, 'get secrets pull', { nodePods: [refPod({ imagePullSecrets: [{ name: 'pull' }] })] }, true],
    ['node may not get a secret no pod of it names', NODE1, 'get secrets other', { nodePods: [refPod({ volumes: [{ name: 'v', secret: { secretName: 'creds' } }] })] }, false],
    ['node may not get a secret named only as a configmap', NODE1, 'get secrets cfg', { nodePods: [refPod({ volumes: [{ name: 'v', configMap: { name: 'cfg' } }] })] }, false],
    ['node: pods not looked up → secret denied', NODE1, 'get secrets creds', {}, false],
    ['node may not list secrets', NODE1, 'list secrets', { nodePods: [] }, false],
    ['node may not watch configmaps', NODE1, 'watch configmaps', { nodePods: [] }, false],
    ['node may not update a secret', NODE1, 'update secrets creds', { nodePods: [refPod({ imagePullSecrets: [{ name: 'creds' }] })] }, false],
    ['memq may not read secrets', MEMQ, 'get secrets creds', {}, false],
    ['memq reads configmaps', MEMQ, 'get configmaps cfg', {}, true],
    ['node may not write jobs', NODE1, 'update jobs/status j', {}, false],
    // not a node without the group; strangers and anonymous get nothing
    ['user named like a node without system:nodes', FAKE_NODE, 'update nodes node-1', {}, false],
    ['stranger reads nothing', STRANGER, 'list pods', {}, false],
    ['stranger writes nothing', STRANGER, 'create jobs', {}, false],
    ['anonymous reads nothing', ANON, 'get pods x', {}, false],
  ];
  it.each(cases)('%s', (_title, id, spec, extra, want) => {
    expect(allowed(id, req(spec, extra))).toBe(want);
  });
});

describe('authorize: the Forbidden status', () => {
  it('words a namespaced denial as kube-apiserver does', () => {
    const d = authorize(NODE1, req('patch pods/status x', { before: pod('node-2') }));
    expect(d.allowed).toBe(false);
    if (d.allowed) return;
    expect(d.error.code).toBe(403);
    expect(d.error.reason).toBe('Forbidden');
    expect(d.error.message).toBe('pods "x" is forbidden: User "system:node:node-1" cannot patch resource "pods/status" in API group "" in the namespace "default"');
    expect(d.error.toStatus()).toMatchObject({ kind: 'Status', status: 'Failure', code: 403, reason: 'Forbidden', details: { name: 'x', group: '', kind: 'pods' } });
  });

  it('qualifies grouped resources and says "at the cluster scope" for cluster-scoped ones', () => {
    const jobs = authorize(SCHED, req('create jobs', { after: { metadata: { name: 'pi' } } }));
    const nodes = authorize(NODE1, req('update nodes node-2'));
    expect(!jobs.allowed && jobs.error.message).toBe('jobs.batch "pi" is forbidden: User "system:kube-scheduler" cannot create resource "jobs" in API group "batch" in the namespace "default"');
    expect(!nodes.allowed && nodes.error.message).toBe('nodes "node-2" is forbidden: User "system:node:node-1" cannot update resource "nodes" in API group "" at the cluster scope');
  });

  it('leaves the name out of collection requests', () => {
    const d = authorize(STRANGER, req('list pods', { namespace: '' }));
    expect(!d.allowed && d.error.message).toBe('pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope');
  });
});

describe('authorizeNonResource', () => {
  it('opens discovery to authenticated users and /metrics to masters only', () => {
    expect(authorizeNonResource(NODE1, { verb: 'get', path: '/apis' }).allowed).toBe(true);
    expect(authorizeNonResource(STRANGER, { verb: 'get', path: '/version' }).allowed).toBe(true);
    expect(authorizeNonResource(ADMIN, { verb: 'get', path: '/metrics' }).allowed).toBe(true);
    const m = authorizeNonResource(SCHED, { verb: 'get', path: '/metrics' });
    expect(!m.allowed && m.error.message).toBe('forbidden: User "system:kube-scheduler" cannot get path "/metrics"');
    expect(authorizeNonResource(ANON, { verb: 'get', path: '/api' }).allowed).toBe(false);
    expect(authorizeNonResource(STRANGER, { verb: 'post', path: '/api' }).allowed).toBe(false);
  });
});

describe('what a decision needs', () => {
  it('reads the stored object only for a node writing a named pod, the body only for non-master creates', () => {
    expect(needsStoredObject(NODE1, { verb: 'delete', resource: 'pods', name: 'x' })).toBe(true);
    expect(needsStoredObject(NODE1, { verb: 'get', resource: 'pods', name: 'x' })).toBe(false);
    expect(needsStoredObject(KCM, { verb: 'delete', resource: 'pods', name: 'x' })).toBe(false);
    expect(needsStoredObject(ADMIN, { verb: 'delete', resource: 'pods', name: 'x' })).toBe(false);
    expect(needsBody(NODE1, { verb: 'create' })).toBe(true);
    expect(needsBody(ADMIN, { verb: 'create' })).toBe(false);
    expect(needsBody(SCHED, { verb: 'update' })).toBe(false);
  });

  it('nodeOf needs both the user prefix and the group', () => {
    expect(nodeOf(NODE1)).toBe('node-1');
    expect(nodeOf(FAKE_NODE)).toBeUndefined();
    expect(nodeOf({ user: 'system:node:', groups: ['system:nodes'] })).toBeUndefined();
  });

  it('checkAccess loads lazily and throws the Forbidden error', async () => {
    let loads = 0;
    let bodies = 0;
    const load = (p: KObject | null) => ({ stored: async () => (loads++, p), body: () => (bodies++, { metadata: { name: 'node-1' } }) });
    await checkAccess(ADMIN, req('delete pods x'), load(pod('node-2')));
    expect([loads, bodies]).toEqual([0, 0]);
    await checkAccess(NODE1, req('delete pods x'), load(pod('node-1')));
    expect(loads).toBe(1);
    await expect(checkAccess(NODE1, req('delete pods x'), load(pod('node-2')))).rejects.toMatchObject({ code: 403, reason: 'Forbidden' });
    await checkAccess(NODE1, req('create nodes -'), load(null));
    expect(bodies).toBe(1);
    await expect(checkAccess(NODE1, req('get pods/log x'), load(null))).rejects.toMatchObject({ code: 403 });
  });
});
