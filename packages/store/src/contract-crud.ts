import { describe, expect, it } from 'vitest';
import type { KObject } from '@kjobs/api';
import { expectApiError, job, jobs, node, nodes, pod, pods, type OpenStore } from './contract-fixtures.js';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Create / get / update / delete, errors, CAS, cluster scope. */
export function describeCrud(open: OpenStore): void {
  describe('objects', () => {
    it('create returns the object with a fresh resourceVersion, does not touch the input, and get returns it', async () => {
      const store = await open();
      const before = BigInt(await store.revision());
      const input = deepFreeze(pod('default', 'a', { labels: { app: 'web' } }));
      const snapshot = JSON.stringify(input);
      const created = await store.create(pods, input);
      expect(JSON.stringify(input)).toBe(snapshot);
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(BigInt(created.metadata.resourceVersion!)).toBeGreaterThan(before);
      expect(await store.revision()).toBe(created.metadata.resourceVersion);
      expect(created).toEqual({ ...input, metadata: { ...input.metadata, resourceVersion: created.metadata.resourceVersion } });
      expect(await store.get(pods, 'default', 'a')).toEqual(created);
      expect(await store.get(pods, 'other', 'a')).toBeUndefined();
      expect(await store.get(jobs, 'default', 'a')).toBeUndefined();
    });

    it('ignores a resourceVersion sent on create and never stores one', async () => {
      const store = await open();
      const created = await store.create(pods, { ...pod('default', 'a'), metadata: { ...pod('default', 'a').metadata, resourceVersion: '999999999' } });
      expect(created.metadata.resourceVersion).not.toBe('999999999');
      expect((await store.get(pods, 'default', 'a'))!.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    });

    it('update replaces the object with a higher resourceVersion; delete returns the last state and removes it', async () => {
      const store = await open();
      const v1 = await store.create(pods, pod('default', 'a'));
      const next = deepFreeze({ ...v1, status: { phase: 'Running' } });
      const v2 = await store.update(pods, next);
      expect(BigInt(v2.metadata.resourceVersion!)).toBeGreaterThan(BigInt(v1.metadata.resourceVersion!));
      expect(v2.status).toEqual({ phase: 'Running' });
      expect(next.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
      expect(await store.get(pods, 'default', 'a')).toEqual(v2);
      const gone = await store.delete(pods, 'default', 'a', { expectedRv: v2.metadata.resourceVersion });
      expect(BigInt(gone.metadata.resourceVersion!)).toBeGreaterThan(BigInt(v2.metadata.resourceVersion!));
      expect(gone.status).toEqual({ phase: 'Running' });
      expect(await store.get(pods, 'default', 'a')).toBeUndefined();
      expect((await store.list(pods)).items).toEqual([]);
      await store.create(pods, pod('default', 'a'));
      expect((await store.list(pods)).items).toHaveLength(1);
    });

    it('create of an existing object is 409 AlreadyExists and changes nothing', async () => {
      const store = await open();
      const v1 = await store.create(pods, pod('default', 'a'));
      const rev = await store.revision();
      const err = await expectApiError(store.create(pods, pod('default', 'a', { labels: { x: 'y' } })), 409, 'AlreadyExists');
      expect(err.message).toBe('pods "a" already exists');
      expect(await store.revision()).toBe(rev);
      expect(await store.get(pods, 'default', 'a')).toEqual(v1);
      await store.create(pods, pod('other', 'a'));
      await store.create(jobs, job('default', 'a'));
    });

    it('update and delete of a missing object are 404 NotFound', async () => {
      const store = await open();
      await expectApiError(store.update(pods, pod('default', 'nope')), 404, 'NotFound');
      await expectApiError(store.delete(pods, 'default', 'nope'), 404, 'NotFound');
      await expectApiError(store.delete(jobs, 'default', 'nope'), 404, 'NotFound');
      expect(await store.get(pods, 'default', 'nope')).toBeUndefined();
    });

    it('a stale resourceVersion is 409 Conflict carrying the current object, and writes nothing', async () => {
      const store = await open();
      const v1 = await store.create(pods, pod('default', 'a'));
      const v2 = await store.update(pods, { ...v1, status: { phase: 'Running' } });
      const rev = await store.revision();
      const err = await expectApiError(store.update(pods, { ...v1, status: { phase: 'Failed' } }), 409, 'Conflict');
      expect(err.message).toContain('the object has been modified');
      expect(err.current).toEqual(v2);
      const err2 = await expectApiError(store.update(pods, { ...v2, status: { phase: 'Failed' } }, { expectedRv: v1.metadata.resourceVersion }), 409, 'Conflict');
      expect(err2.current).toEqual(v2);
      const err3 = await expectApiError(store.delete(pods, 'default', 'a', { expectedRv: v1.metadata.resourceVersion }), 409, 'Conflict');
      expect(err3.current).toEqual(v2);
      expect(await store.revision()).toBe(rev);
      expect(await store.get(pods, 'default', 'a')).toEqual(v2);
    });

    it('an empty resourceVersion means an unconditional update; expectedRv wins over the object', async () => {
      const store = await open();
      const v1 = await store.create(pods, pod('default', 'a'));
      await store.update(pods, { ...v1, status: { phase: 'Pending' } });
      const blind = await store.update(pods, { ...v1, metadata: { ...v1.metadata, resourceVersion: '' }, status: { phase: 'Running' } });
      expect(blind.status).toEqual({ phase: 'Running' });
      const noRv = pod('default', 'a', { phase: 'Succeeded' });
      const v4 = await store.update(pods, noRv);
      expect(v4.status).toEqual({ phase: 'Succeeded' });
      const v5 = await store.update(pods, { ...v1, status: { phase: 'Failed' } }, { expectedRv: '' });
      const v6 = await store.update(pods, { ...v1, status: { phase: 'Unknown' } }, { expectedRv: v5.metadata.resourceVersion });
      expect(v6.status).toEqual({ phase: 'Unknown' });
      const v7 = await store.delete(pods, 'default', 'a');
      expect(v7.status).toEqual({ phase: 'Unknown' });
    });

    it('20 concurrent updates from one resourceVersion: exactly one wins, the rest conflict with the winner', async () => {
      const store = await open();
      const v1 = await store.create(pods, pod('default', 'a'));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.update(pods, { ...v1, metadata: { ...v1.metadata, labels: { writer: String(i) } } })),
      );
      const won = results.filter((r): r is PromiseFulfilledResult<KObject> => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const winner = won[0]!.value;
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toMatchObject({ code: 409, reason: 'Conflict' });
          expect((r.reason as { current: KObject }).current).toEqual(winner);
        }
      }
      expect(await store.get(pods, 'default', 'a')).toEqual(winner);
    });

    it('serves cluster-scoped kinds under namespace ""', async () => {
      const store = await open();
      const n1 = await store.create(nodes, node('n1', { zone: 'a' }));
      expect(n1.metadata.namespace).toBeUndefined();
      expect(await store.get(nodes, '', 'n1')).toEqual(n1);
      await expectApiError(store.create(nodes, node('n1')), 409, 'AlreadyExists');
      await store.create(nodes, node('n0'));
      expect((await store.list(nodes)).items.map((o) => o.metadata.name)).toEqual(['n0', 'n1']);
      expect((await store.list(nodes, { labelSelector: [{ key: 'zone', operator: '=', values: ['a'] }] })).items.map((o) => o.metadata.name)).toEqual(['n1']);
      expect((await store.list(nodes, { fieldSelector: [{ field: 'metadata.name', operator: '=', value: 'n0' }] })).items.map((o) => o.metadata.name)).toEqual(['n0']);
      const n2 = await store.update(nodes, { ...n1, spec: { unschedulable: true } });
      await expectApiError(store.update(nodes, n1), 409, 'Conflict');
      const del = await store.delete(nodes, '', 'n1', { expectedRv: n2.metadata.resourceVersion });
      expect(del.spec).toEqual({ unschedulable: true });
      expect(await store.get(nodes, '', 'n1')).toBeUndefined();
    });

    it('rejects names that are not DNS-subdomain safe with 400', async () => {
      const store = await open();
      const rev = await store.revision();
      await expectApiError(store.create(pods, pod('default', 'Bad_Name')), 400);
      await expectApiError(store.create(pods, pod('default', 'a/b')), 400);
      await expectApiError(store.create(pods, pod('default', 'x'.repeat(254))), 400);
      await expectApiError(store.create(pods, pod('', 'a')), 400);
      await expectApiError(store.get(pods, 'de fault', 'a'), 400);
      expect(await store.revision()).toBe(rev);
      expect((await store.list(pods)).items).toEqual([]);
    });
  });
}

