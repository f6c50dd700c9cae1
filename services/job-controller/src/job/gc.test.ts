import { describe, expect, it } from 'vitest';
import type { KObject, OwnerReference } from '@kjobs/api';
import { type GcOwner, decideDependent, decideOwnerFinalization } from './gc.js';

const ref = (uid: string, block = true): OwnerReference => ({ apiVersion: 'batch/v1', kind: 'Job', name: `job-${uid}`, uid, controller: true, blockOwnerDeletion: block });
const dep = (name: string, refs: OwnerReference[], extra: Partial<KObject['metadata']> = {}): KObject => ({ metadata: { name, uid: `uid-${name}`, ownerReferences: refs, ...extra } });
const owners = (list: GcOwner[]) => (uid: string) => list.find((o) => o.uid === uid);

describe('decideDependent', () => {
  const live: GcOwner = { uid: 'a' };
  const foreground: GcOwner = { uid: 'f', deletionTimestamp: 't', finalizers: ['foregroundDeletion'] };
  const orphaning: GcOwner = { uid: 'o', deletionTimestamp: 't', finalizers: ['orphan'] };
  it.each([
    ['owner exists → keep', dep('p', [ref('a')]), false, { kind: 'keep' }],
    ['owner uid gone → delete in background', dep('p', [ref('gone')]), false, { kind: 'delete', propagationPolicy: 'Background', preconditions: { uid: 'uid-p' } }],
    ['owner gone, dependent carries orphan finalizer → Orphan', dep('p', [ref('gone')], { finalizers: ['orphan'] }), false, { kind: 'delete', propagationPolicy: 'Orphan', preconditions: { uid: 'uid-p' } }],
    ['one solid and one dangling owner → drop the dangling reference', dep('p', [ref('a'), ref('gone')]), false, { kind: 'removeOwnerRefs', ownerReferences: [ref('a')] }],
    ['owner in foreground deletion, leaf dependent → delete in background', dep('p', [ref('f')]), false, { kind: 'delete', propagationPolicy: 'Background', preconditions: { uid: 'uid-p' } }],
    ['owner in foreground deletion, dependent has dependents → Foreground', dep('j', [ref('f')]), true, { kind: 'delete', propagationPolicy: 'Foreground', preconditions: { uid: 'uid-j' } }],
    ['owner being orphan-deleted still counts as solid', dep('p', [ref('o')]), false, { kind: 'keep' }],
    ['already being deleted → keep', dep('p', [ref('gone')], { deletionTimestamp: 't' }), false, { kind: 'keep' }],
    ['no owner references → keep', dep('p', []), false, { kind: 'keep' }],
  ])('%s', (_n, d, nested, want) => {
    expect(decideDependent(d, owners([live, foreground, orphaning]), nested)).toEqual(want);
  });
});

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
