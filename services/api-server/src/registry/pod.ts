import { type KObject, type Pod, qosClass } from '@kjobs/api';
import { clone } from '../object-meta.js';
import { defineStrategy } from './strategy.js';
import { prepareStatusUpdate } from './update-strategy.js';

/**
 * Pods (pkg/registry/core/pod/strategy.go): a new pod starts Pending with its QoS class; a status
 * write keeps the stored ownerReferences (old kubelets corrupted them); a DELETE of a bound,
 * running pod is graceful (the kubelet stops it, then deletes with grace 0).
 */
export const podStrategy = defineStrategy('Pod', {
  prepareForCreate: (o) => initialPodStatus(o as Pod),
  prepareForStatusUpdate: (cur, incoming) => {
    const next = prepareStatusUpdate(cur, incoming, true);
    if (cur.metadata.ownerReferences === undefined) delete next.metadata.ownerReferences;
    else next.metadata.ownerReferences = clone(cur.metadata.ownerReferences);
    return next;
  },
  graceful: {
    period: (o, requested) => {
      const pod = o as Pod;
      const grace = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      return !pod.spec?.nodeName || isTerminal(pod) ? 0 : grace;
    },
    stopped: (o) => isTerminal(o as Pod),
  },
});

function isTerminal(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** A new pod starts Pending with its QoS class, as the pod strategy does. */
function initialPodStatus(p: Pod): KObject {
  const status = p.status ?? {};
  return { ...p, status: { phase: 'Pending', qosClass: qosClass(p.spec), ...status, ...(status.phase ? {} : { phase: 'Pending' }) } } as KObject;
}
