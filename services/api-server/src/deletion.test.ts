import { describe, expect, it } from 'vitest';
import { mustResourceForKind, type KObject } from '@kjobs/api';
import { decideDelete, readyToRemove } from './deletion.js';
import { strategyFor } from './registry/index.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const strategy = (kind: string) => strategyFor(mustResourceForKind(kind));

function pod(extra: { nodeName?: string; phase?: string; finalizers?: string[]; grace?: number } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u', ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
    spec: { containers: [{ name: 'c', image: 'x' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}), ...(extra.grace !== undefined ? { terminationGracePeriodSeconds: extra.grace } : {}) },
    ...(extra.phase ? { status: { phase: extra.phase } } : {}),
  };
}

describe('decideDelete by the kind\'s strategy', () => {
  it.each<[string, KObject, { gracePeriodSeconds?: number; propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' }, object]>([
    ['an unbound pod goes at once', pod(), {}, { action: 'remove' }],
    ['a finished pod goes at once', pod({ nodeName: 'n', phase: 'Succeeded' }), {}, { action: 'remove' }],
    ['a running pod gets its terminationGracePeriodSeconds', pod({ nodeName: 'n', phase: 'Running', grace: 10 }), {},
      { action: 'mark', object: { metadata: { deletionTimestamp: '2026-01-01T00:00:10Z', deletionGracePeriodSeconds: 10 } } }],
    ['a running pod: the request\'s grace period wins', pod({ nodeName: 'n', phase: 'Running', grace: 10 }), { gracePeriodSeconds: 3 },
      { action: 'mark', object: { metadata: { deletionGracePeriodSeconds: 3 } } }],
    ['grace 0 with a finalizer marks it', pod({ nodeName: 'n', phase: 'Running', finalizers: ['x'] }), { gracePeriodSeconds: 0 },
      { action: 'mark', object: { metadata: { finalizers: ['x'], deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } } }],
  ])('%s', (_what, obj, opts, out) => {
    expect(decideDelete(obj, strategy('Pod'), opts, NOW)).toMatchObject(out);
  });

  it('a Job orphans its pods when the DELETE names no policy (batch/v1), a ReplicaSet does not', () => {
    const job: KObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' } };
    expect(decideDelete(job, strategy('Job'), {}, NOW)).toMatchObject({ action: 'mark', object: { metadata: { finalizers: ['orphan'] } } });
    expect(decideDelete(job, strategy('Job'), { propagationPolicy: 'Background' }, NOW)).toEqual({ action: 'remove' });
    const rs: KObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'default' } };
    expect(decideDelete(rs, strategy('ReplicaSet'), {}, NOW)).toEqual({ action: 'remove' });
  });

  it('a marked pod inside its grace period waits for the kubelet unless it has finished; other kinds go when the finalizers are gone', () => {
    const marked = (o: KObject, grace: number): KObject => ({ ...o, metadata: { ...o.metadata, deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: grace } });
    expect(readyToRemove(marked(pod({ nodeName: 'n', phase: 'Running' }), 30), strategy('Pod'))).toBe(false);
    expect(readyToRemove(marked(pod({ nodeName: 'n', phase: 'Failed' }), 30), strategy('Pod'))).toBe(true);
    expect(readyToRemove(marked(pod({ nodeName: 'n', phase: 'Running' }), 0), strategy('Pod'))).toBe(true);
    expect(readyToRemove(marked(pod({ nodeName: 'n', phase: 'Running', finalizers: ['x'] }), 0), strategy('Pod'))).toBe(false);
    const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } };
    expect(readyToRemove(marked(cm, 30), strategy('ConfigMap'))).toBe(true);
  });
});
