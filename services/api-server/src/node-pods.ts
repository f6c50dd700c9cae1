import { mustResourceForKind, type KObject } from '@kjobs/api';
import type { ApiService } from './api-service.js';

const PODS = mustResourceForKind('Pod');

/**
 * The authorizer's `nodePods` loader: the pods bound to a node in one namespace, read from the
 * store through the `spec.nodeName` index (one list per node read of a ConfigMap or Secret).
 */
export function nodePodsLoader(api: ApiService, namespace: string): (node: string) => Promise<readonly KObject[]> {
  return async (node) => (await api.list(PODS, { namespace, fieldSelector: `spec.nodeName=${node}` })).items;
}
