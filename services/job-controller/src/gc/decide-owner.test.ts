import { describe, expect, it } from 'vitest';
import type { KObject, OwnerReference } from '@kjobs/api';
import { decideOwnerFinalization } from './decide-owner.js';

const ref = (uid: string, block = true): OwnerReference => ({ apiVersion: 'batch/v1', kind: 'Job', name: `job-${uid}`, uid, controller: true, blockOwnerDeletion: block });
const dep = (name: string, refs: OwnerReference[], extra: Partial<KObject['metadata']> = {}): KObject => ({ metadata: { name, uid: `uid-${name}`, ownerReferences: refs, ...extra } });

describe('decideOwnerFinalization', () => {
  const pods = [dep('p1', [ref('j')]), dep('p2', [ref('j'), ref('other')]), dep('x', [ref('other')])];

  it('Orphan: strips the owner reference from each dependent, then removes the finalizer', () => {
    const first = decideOwnerFinalization({ uid: 'j', deletionTimestamp: 't', finalizers: ['orphan'] }, pods);
    expect(first.orphanDependents.map((o) => [o.obj.metadata.name, o.ownerReferences.map((r) => r.uid)])).toEqual([['p1', []], ['p2', ['other']]]);
    expect(first.removeFinalizer).toBeUndefined();
    const after = decideOwnerFinalization({ uid: 'j', deletionTimestamp: 't', finalizers: ['orphan'] }, [dep('x', [ref('other')])]);
    expect(after.removeFinalizer).toBe('orphan');
  });

  it('Foreground: deletes dependents and keeps the finalizer while blocking dependents remain', () => {
    const owner = { uid: 'j', deletionTimestamp: 't', finalizers: ['foregroundDeletion'] };
    const d = decideOwnerFinalization(owner, [...pods, dep('p3', [ref('j')], { deletionTimestamp: 't' })]);
    expect(d.deleteDependents.map((x) => x.obj.metadata.name)).toEqual(['p1', 'p2']);
    expect(d.blocking).toBe(3);
    expect(d.removeFinalizer).toBeUndefined();
    expect(decideOwnerFinalization(owner, [dep('nb', [ref('j', false)])]).removeFinalizer).toBe('foregroundDeletion');
    expect(decideOwnerFinalization(owner, []).removeFinalizer).toBe('foregroundDeletion');
  });

  it('an owner not being deleted needs nothing', () => {
    expect(decideOwnerFinalization({ uid: 'j' }, pods)).toEqual({ deleteDependents: [], orphanDependents: [], blocking: 0 });
  });
});
