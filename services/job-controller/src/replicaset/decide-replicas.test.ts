import { describe, expect, it } from 'vitest';
import type { Pod, ReplicaSet } from '@kjobs/api';
import { decideReplicaSet, podForReplicaSet } from './decide-replicas.js';

const rs = (replicas: number): ReplicaSet => ({
  metadata: { name: 'queue', namespace: 'default', uid: 'u1', generation: 2 },
  spec: { replicas, selector: { matchLabels: { app: 'q' } }, template: { metadata: { labels: { app: 'q' } }, spec: { containers: [{ name: 'c', image: 'kuard' }] } } },
});
const pod = (name: string, phase: string, extra: Partial<Pod['metadata']> = {}, ready = false, node = 'n1'): Pod => ({
  metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z', ...extra },
  spec: { containers: [], nodeName: node },
  status: { phase: phase as never, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('decideReplicaSet', () => {
  it('creates the missing replicas', () => {
    expect(decideReplicaSet(rs(3), [pod('a', 'Running')]).create).toBe(2);
  });
  it('ignores terminal and terminating pods when counting', () => {
    const d = decideReplicaSet(rs(1), [pod('a', 'Failed'), pod('b', 'Running', { deletionTimestamp: '2026-01-01T00:00:00Z' })]);
    expect(d.create).toBe(1);
    expect(d.status.replicas).toBe(0);
  });
  it('removes the most expendable extra pods first: unscheduled, then pending, then not ready', () => {
    const d = decideReplicaSet(rs(1), [pod('ready', 'Running', {}, true), pod('pending', 'Pending'), pod('unscheduled', 'Pending', {}, false, '')]);
    expect(d.remove.map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending']);
  });
  it('reports ready and available replicas and the observed generation', () => {
    const d = decideReplicaSet(rs(2), [pod('a', 'Running', {}, true), pod('b', 'Running')]);
    expect(d.status).toMatchObject({ replicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 2 });
  });
  it('does nothing while the ReplicaSet is being deleted', () => {
    const r = rs(3);
    r.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    expect(decideReplicaSet(r, []).create).toBe(0);
  });
});

describe('podForReplicaSet', () => {
  it('builds a pod owned by the ReplicaSet with the template labels', () => {
    const p = podForReplicaSet(rs(1));
    expect(p.metadata.generateName).toBe('queue-');
    expect(p.metadata.labels).toEqual({ app: 'q' });
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: 'u1', controller: true });
  });
});
