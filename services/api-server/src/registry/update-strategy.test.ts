import { describe, expect, it } from 'vitest';
import { mustResourceForKind, type KObject } from '@kjobs/api';
import { strategyFor } from './index.js';
import { prepareMainUpdate, prepareStatusUpdate } from './update-strategy.js';

const stored = (kind: string, extra: Partial<KObject> = {}): KObject => ({
  apiVersion: 'v1', kind,
  metadata: { name: 'x', namespace: 'default', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1, resourceVersion: '5', labels: { a: '1' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'ju' }] },
  spec: { s: 'old' }, status: { phase: 'old' }, ...extra,
});

const incoming = (kind: string): KObject => ({
  apiVersion: 'v1', kind,
  metadata: { name: 'x', namespace: 'other', uid: 'forged', creationTimestamp: 'forged', generation: 9, resourceVersion: '5', labels: { a: '2' }, annotations: { note: 'kept' }, ownerReferences: [] },
  spec: { s: 'new' }, status: { phase: 'new' },
});

const strategy = (kind: string) => strategyFor(mustResourceForKind(kind));

describe('prepareStatusUpdate', () => {
  it.each(['Job', 'CronJob', 'ReplicaSet', 'Service', 'Node', 'Namespace'])('%s: status and metadata from the request, spec and system fields from the store', (kind) => {
    expect(strategy(kind).prepareForStatusUpdate(stored(kind), incoming(kind))).toStrictEqual(prepareStatusUpdate(stored(kind), incoming(kind), kind !== 'Node' && kind !== 'Namespace'));
    const out = prepareStatusUpdate(stored(kind), incoming(kind), kind !== 'Node' && kind !== 'Namespace');
    expect(out.spec).toEqual({ s: 'old' });
    expect(out.status).toEqual({ phase: 'new' });
    expect(out.metadata.labels).toEqual({ a: '2' });
    expect(out.metadata.annotations).toEqual({ note: 'kept' });
    expect(out.metadata.ownerReferences).toEqual([]);
    expect(out.metadata).toMatchObject({ uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 });
    expect(out.metadata.namespace).toBe(kind === 'Node' || kind === 'Namespace' ? undefined : 'default');
  });

  it('Pod: ownerReferences stay as stored (podStatusStrategy)', () => {
    const out = strategy('Pod').prepareForStatusUpdate(stored('Pod'), incoming('Pod'));
    expect(out.metadata.ownerReferences).toEqual(stored('Pod').metadata.ownerReferences);
    expect(out.metadata.labels).toEqual({ a: '2' });
    expect(out.spec).toEqual({ s: 'old' });
  });

  it('keeps a deletionTimestamp the request drops', () => {
    const cur = stored('Job');
    cur.metadata.deletionTimestamp = '2026-01-02T00:00:00Z';
    expect(strategy('Job').prepareForStatusUpdate(cur, incoming('Job')).metadata.deletionTimestamp).toBe('2026-01-02T00:00:00Z');
  });
});

describe('prepareMainUpdate', () => {
  it.each([
    ['Job', true], ['Pod', true], ['Node', true], ['Lease', false], ['Event', false],
  ] as const)('%s (status subresource: %s): spec and metadata from the request, status %s', (kind, hasStatus) => {
    expect(mustResourceForKind(kind).subresources.includes('status')).toBe(hasStatus);
    const out = prepareMainUpdate(stored(kind), incoming(kind), { namespaced: true, hasStatus });
    expect(out.spec).toEqual({ s: 'new' });
    expect(out.status).toEqual(hasStatus ? { phase: 'old' } : { phase: 'new' });
    expect(out.metadata).toMatchObject({ uid: 'u1', namespace: 'default', generation: 1, labels: { a: '2' } });
  });

  it.each(['Job', 'Pod', 'Lease', 'Event'])('%s: its strategy is the generic main update', (kind) => {
    const res = mustResourceForKind(kind);
    expect(strategy(kind).prepareForUpdate(stored(kind), incoming(kind))).toStrictEqual(prepareMainUpdate(stored(kind), incoming(kind), { namespaced: res.namespaced, hasStatus: res.subresources.includes('status') }));
  });

  it('Namespace: spec.finalizers stay as stored', () => {
    const cur = stored('Namespace', { spec: { finalizers: ['kubernetes'] } });
    const inc = incoming('Namespace');
    inc.spec = { finalizers: [] };
    expect(strategy('Namespace').prepareForUpdate(cur, inc).spec).toEqual({ finalizers: ['kubernetes'] });
  });
});
