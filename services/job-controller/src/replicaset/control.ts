/** The narrow interface the ReplicaSet sync writes through, and its implementation over the API. */
import { isApiError, type KObject, type Pod, type ReplicaSet } from '@kjobs/api';
import type { ApiClient, EventRecorder } from '@kjobs/client';

/** Every write the ReplicaSet sync makes. API failures throw ApiError (@kjobs/api). */
export interface ReplicaSetControl {
  /** POST a pod; returns it as stored (with its generated name). */
  createPod(pod: Pod): Promise<Pod>;
  /** DELETE the pod with a uid precondition. */
  deletePod(pod: Pod): Promise<void>;
  /**
   * PUT the ReplicaSet's /status (resourceVersion as read). On a conflict (the cached copy is
   * older than the stored one) reads it afresh and tries once more, as Kubernetes'
   * `updateReplicaSetStatus` does (statusUpdateRetries = 1).
   */
  updateStatus(rs: ReplicaSet): Promise<ReplicaSet>;
  /** Record an event (source `replicaset-controller`). */
  recordEvent(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The ReplicaSet control over the API (`client`) and the replicaset-controller's recorder. */
export function apiReplicaSetControl(client: ApiClient, recorder: EventRecorder): ReplicaSetControl {
  return {
    createPod: (pod) => client.create<Pod>('Pod', pod),
    deletePod: async (p) => {
      await client.delete('Pod', p.metadata.namespace!, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
    },
    updateStatus: async (rs) => {
      try {
        return await client.update<ReplicaSet>('ReplicaSet', rs, { subresource: 'status' });
      } catch (e) {
        if (!isApiError(e, 409)) throw e;
        const fresh = await client.get<ReplicaSet>('ReplicaSet', rs.metadata.namespace!, rs.metadata.name!);
        return client.update<ReplicaSet>('ReplicaSet', { ...fresh, status: rs.status }, { subresource: 'status' });
      }
    },
    recordEvent: (obj, type, reason, message) => recorder.record(obj, type, reason, message),
  };
}
