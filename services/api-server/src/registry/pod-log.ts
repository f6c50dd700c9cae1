import { badRequest, type Pod } from '@kjobs/api';
import type { LogRequest } from '../node-bridge.js';

/*
 * pods/log (the pod registry's LogREST): which container, which node, which lines — checked and
 * worded as kube-apiserver does; the front ends stream or collect what the node sends.
 */

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** Which container a log, attach or exec request means (Kubernetes' defaulting and messages). */
export function pickContainer(pod: Pod, requested: string | undefined): string {
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    return requested;
  }
  const def = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (def && names.includes(def)) return def;
  if (pod.spec.containers.length === 1) return pod.spec.containers[0]!.name;
  throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`);
}

/** Build the agent's log request from a pod and query parameters; errors as kube-apiserver words them. */
export function logRequestFor(pod: Pod, query: Record<string, string | undefined>): { node: string; req: LogRequest } {
  const container = pickContainer(pod, query.container);
  const node = pod.spec.nodeName;
  const cs = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
  if (!node || !cs || (cs.state?.waiting && cs.restartCount === 0 && !cs.lastState?.terminated)) {
    const reason = cs?.state?.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
  }
  const tail = num(query.tailLines);
  const since = num(query.sinceSeconds);
  const limit = num(query.limitBytes);
  for (const [k, v] of [['tailLines', tail], ['sinceSeconds', since], ['limitBytes', limit]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw badRequest(`invalid ${k}: ${query[k]}`);
  }
  return {
    node,
    req: {
      namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', container,
      follow: query.follow === 'true', previous: query.previous === 'true', tailLines: tail, sinceSeconds: since,
      timestamps: query.timestamps === 'true', limitBytes: limit,
    },
  };
}
