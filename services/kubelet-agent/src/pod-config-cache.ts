import { isApiError, podReferences, type ConfigMap, type Pod, type Secret } from '@kjobs/api';
import type { ApiClient } from '@kjobs/client';
import type { PodConfigData } from './runtime/config-data.js';

type Entry<T> = T | null | { error: string };

/**
 * The ConfigMaps and Secrets of the pods on this node, read with one `get` per object the pod
 * names (all the node authorizer lets a node do: no list, no watch), kept per pod and read again
 * when older than `refreshMs` — the kubelet's TTL cache strategy. Mounted content follows
 * updates within about that long; env vars are fixed when a container starts.
 */
export class PodConfigCache {
  private readonly byUid = new Map<string, { at: number; data: PodConfigData }>();

  constructor(
    private readonly client: Pick<ApiClient, 'get'>,
    /** How long a pod's reads are reused. */
    readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Does the pod name any ConfigMap or Secret, or have volumes (which the runtime keeps up to date on each sync)? */
  needsResync(pod: Pod): boolean {
    const refs = podReferences(pod);
    return refs.configMaps.size > 0 || refs.secrets.size > 0 || (Array.isArray(pod.spec.volumes) && pod.spec.volumes.length > 0);
  }

  /**
   * The pod's ConfigMaps and Secrets, read again when the last read is older than `refreshMs`.
   * does: 1. reuse a fresh read; 2. get each named object (404 → null, other errors → their text); 3. keep it.
   */
  async forPod(pod: Pod): Promise<PodConfigData> {
    const uid = pod.metadata.uid ?? '';
    const cached = this.byUid.get(uid);
    if (cached && this.now() - cached.at < this.refreshMs) return cached.data;
    const ns = pod.metadata.namespace ?? 'default';
    const refs = podReferences(pod);
    const [configMaps, secrets] = await Promise.all([
      this.readAll<ConfigMap>('ConfigMap', 'configmap', ns, refs.configMaps),
      this.readAll<Secret>('Secret', 'secret', ns, refs.secrets),
    ]);
    const data: PodConfigData = { configMaps, secrets };
    this.byUid.set(uid, { at: this.now(), data });
    return data;
  }

  /** The pod is gone from this node. */
  forget(uid: string): void {
    this.byUid.delete(uid);
  }

  private async readAll<T>(kind: 'ConfigMap' | 'Secret', word: string, ns: string, names: Set<string>): Promise<Map<string, Entry<T>>> {
    const out = new Map<string, Entry<T>>();
    await Promise.all([...names].map(async (name) => {
      try {
        out.set(name, (await this.client.get(kind, ns, name)) as T);
      } catch (e) {
        out.set(name, isApiError(e, 404) ? null : { error: `couldn't get ${word} ${ns}/${name}: ${(e as Error).message}` });
      }
    }));
    return out;
  }
}
