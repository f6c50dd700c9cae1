/**
 * `syncReplicaSet` (Kubernetes replica_set.go `syncReplicaSet`): guard, read, decide
 * (decide-replicas.ts), act through {@link ReplicaSetControl}, record status.
 */
import { isApiError, type Pod, type ReplicaSet } from '@kjobs/api';
import type { Expectations } from '@kjobs/client';
import type { ReplicaSetControl } from './control.js';
import { decideReplicaSet, podForReplicaSet } from './decide-replicas.js';

/** What a ReplicaSet sync reads and writes through. */
export interface ReplicaSetSyncContext {
  /** The ReplicaSet by `namespace/name`, from the cache. */
  replicaSet(key: string): ReplicaSet | undefined;
  /** The pods it controls whose labels match its selector, from the cache. */
  podsOf(rs: ReplicaSet): Pod[];
  /** Creates and deletes sent but not yet seen by the pod informer, per ReplicaSet key. */
  expectations: Expectations;
  control: ReplicaSetControl;
}

/**
 * Sync one ReplicaSet. Does:
 * 1. guard: gone, or its own creates/deletes not yet observed (the cache would be stale) → nothing;
 * 2. read its pods; 3. decide;
 * 4. act: expect, then create the missing pods / delete the most expendable extra ones (a failed
 *    write lowers the expectation again; a create's error is recorded as FailedCreate);
 * 5. record status when it changed.
 */
export async function syncReplicaSet(key: string, c: ReplicaSetSyncContext): Promise<void> {
  const rs = c.replicaSet(key);
  if (!rs || !c.expectations.satisfied(key)) return;
  const pods = c.podsOf(rs);

  const d = decideReplicaSet(rs, pods);

  if (d.create > 0) {
    c.expectations.expect(key, d.create, 0);
    await Promise.all(Array.from({ length: d.create }, async () => {
      try {
        const p = await c.control.createPod(podForReplicaSet(rs));
        c.control.recordEvent(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`);
      } catch (e) {
        c.expectations.creationObserved(key);
        c.control.recordEvent(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    }));
  }
  if (d.remove.length) {
    c.expectations.expect(key, 0, d.remove.length);
    await Promise.all(d.remove.map(async (p) => {
      try {
        await c.control.deletePod(p);
        c.control.recordEvent(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (e) {
        c.expectations.deletionObserved(key);
        if (!isApiError(e, 404)) throw e;
      }
    }));
  }

  const cur = rs.status ?? { replicas: 0 };
  if (JSON.stringify({ ...cur }) !== JSON.stringify({ ...cur, ...d.status })) await c.control.updateStatus({ ...rs, status: { ...cur, ...d.status } });
}
