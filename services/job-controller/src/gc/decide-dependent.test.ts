import { describe, expect, it } from 'vitest';
import type { KObject, OwnerReference } from '@kjobs/api';
import { type GcOwner, decideDependent } from './decide-dependent.js';

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
