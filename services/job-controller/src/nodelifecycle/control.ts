/** The narrow interface the node lifecycle sync writes through, and its implementation over the API. */
import type { KObject, Node, Pod, PodStatus } from '@kjobs/api';
import type { ApiClient, EventRecorder } from '@kjobs/client';

/** Every read-through and write of the node lifecycle sync. API failures throw ApiError (@kjobs/api). */
export interface NodeLifecycleControl {
  /** Uncached GET of a Node. */
  getNode(name: string): Promise<Node>;
  /** PUT the Node (spec and metadata; resourceVersion as read). */
  updateNode(node: Node): Promise<Node>;
  /** PUT the Node's /status (resourceVersion as read). */
  updateNodeStatus(node: Node): Promise<Node>;
  /** Merge-patch the pod's /status. */
  patchPodStatus(pod: Pod, status: Partial<PodStatus>): Promise<void>;
  /** Record an event (source `node-controller`). */
  recordEvent(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The node lifecycle control over the API (`client`) and the node-controller's recorder. */
export function apiNodeLifecycleControl(client: ApiClient, recorder: EventRecorder): NodeLifecycleControl {
  return {
    getNode: (name) => client.get<Node>('Node', '', name),
    updateNode: (node) => client.update<Node>('Node', node),
    updateNodeStatus: (node) => client.update<Node>('Node', node, { subresource: 'status' }),
    patchPodStatus: async (p, status) => {
      await client.patch('Pod', p.metadata.namespace!, p.metadata.name!, 'merge', { status }, { subresource: 'status' });
    },
    recordEvent: (obj, type, reason, message) => recorder.record(obj, type, reason, message),
  };
}
