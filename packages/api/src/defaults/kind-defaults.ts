/**
 * Defaulting of the other served kinds (Kubernetes 1.32): Service (`SetDefaults_Service` plus the
 * IP-family fields the allocator fills), ReplicaSet (apps/v1), Namespace (defaults plus the
 * strategy's create-time finalizer) and Node (allocatable from capacity).
 */
import { defaultPodTemplate } from './pod-defaults.js';

type Obj = Record<string, unknown>;

function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/**
 * Service: type ClusterIP, sessionAffinity None, port protocol TCP and targetPort = port,
 * internalTrafficPolicy Cluster, externalTrafficPolicy Cluster for NodePort/LoadBalancer,
 * ipFamilyPolicy SingleStack and ipFamilies [IPv4]. The clusterIP itself is allocated by the
 * api-server, not here.
 */
export function defaultService(svc: Obj): void {
  const spec = rec(svc.spec);
  if (!spec) return;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (!spec.type) spec.type = 'ClusterIP';
  for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
    const p = rec(port);
    if (!p) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort == null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  if ((type === 'NodePort' || type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if ((type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') && spec.internalTrafficPolicy == null) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) spec.allocateLoadBalancerNodePorts = true;
  if (type !== 'ExternalName') {
    if (spec.ipFamilyPolicy == null) spec.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
}

/** apps/v1 ReplicaSet: replicas 1 and the pod template defaults. */
export function defaultReplicaSet(rs: Obj): void {
  const spec = rec(rs.spec);
  if (!spec) return;
  if (spec.replicas == null) spec.replicas = 1;
  defaultPodTemplate(rec(spec.template));
}

/**
 * Namespace: status.phase Active and the `kubernetes.io/metadata.name` label; a new namespace (no
 * uid yet) also gets the `kubernetes` finalizer, which Kubernetes adds only on create because the
 * namespace controller removes it over the object's life.
 */
export function defaultNamespace(ns: Obj): void {
  const meta = rec(ns.metadata);
  if (meta && typeof meta.name === 'string' && meta.name) {
    meta.labels = { ...(rec(meta.labels) ?? {}), 'kubernetes.io/metadata.name': meta.name };
  }
  const status = rec(ns.status) ?? {};
  if (!status.phase) status.phase = 'Active';
  ns.status = status;
  if (meta && !meta.uid) {
    const spec = rec(ns.spec) ?? {};
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
    ns.spec = spec;
  }
}

/** Node: status.allocatable defaults to status.capacity. */
export function defaultNode(node: Obj): void {
  const status = rec(node.status);
  const capacity = rec(status?.capacity);
  if (status && capacity && status.allocatable == null) status.allocatable = { ...capacity };
}
