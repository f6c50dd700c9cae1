import { describe, expect, it } from 'vitest';
import { findResource, type KObject } from '@kjobs/api';
import { JsonList } from './json-list.js';

const pods = findResource('', 'pods')!;
const jobs = findResource('batch', 'jobs')!;
const body = (o: unknown) => JSON.stringify(o);

describe('JsonList', () => {
  const stored = [
    // encodeBody's layout: apiVersion, kind, metadata first
    { rv: '7', body: body({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'd', labels: { x: 'y' } }, spec: { containers: [] } }) },
    // empty metadata
    { rv: '8', body: body({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} }) },
    // another layout: metadata after a nested object that has metadata of its own
    { rv: '9', body: body({ spec: { template: { metadata: { name: 'inner' } } }, apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' } }) },
    // no kind stored, and a kind that is not the list's
    { rv: '10', body: body({ metadata: { name: 'c' } }) },
    { rv: '11', body: body({ apiVersion: 'v9', kind: 'Pod', metadata: { name: 'e' } }) },
  ];
  const meta = { resourceVersion: '12', continue: 'abc' };

  it('json() is the value JSON.stringify gives, every item with its kind and resourceVersion', () => {
    const want = JSON.parse(JSON.stringify(new JsonList(pods, meta, stored)));
    const got = JSON.parse(new JsonList(pods, meta, stored).json());
    expect(got).toEqual(want);
    expect(got.kind).toBe('PodList');
    expect(got.metadata).toEqual(meta);
    expect(got.items.map((o: KObject) => [o.apiVersion, o.kind, o.metadata.name, o.metadata.resourceVersion])).toEqual([
      ['v1', 'Pod', 'a', '7'], ['v1', 'Pod', undefined, '8'], ['v1', 'Pod', 'b', '9'], ['v1', 'Pod', 'c', '10'], ['v1', 'Pod', 'e', '11'],
    ]);
    expect(got.items[2].spec.template.metadata).toEqual({ name: 'inner' });
  });

  it('encode() is json() as UTF-8, inside the envelope it is given; multi-byte text keeps its exact length', () => {
    const wide = [...stored, { rv: '13', body: body({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'f', annotations: { note: 'größe 🚀 \u2028' } } }) }];
    const l = new JsonList(pods, meta, wide);
    const bytes = l.encode('{"ok":true,"body":', '}');
    const got = JSON.parse(bytes.toString('utf8'));
    expect(got).toEqual({ ok: true, body: JSON.parse(JSON.stringify(new JsonList(pods, meta, wide))) });
    expect(got.body.items[5].metadata.annotations.note).toBe('größe 🚀 \u2028');
    expect(l.encode().toString('utf8')).toBe(l.json());
    expect(bytes.length).toBe(Buffer.byteLength(`{"ok":true,"body":${l.json()}}`));
  });

  it('reads as a KList: items decoded once, seen by `in`, spread and JSON', () => {
    const l = new JsonList(jobs, { resourceVersion: '3' }, [{ rv: '2', body: body({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' } }) }]);
    expect('items' in l).toBe(true);
    expect(l.items).toBe(l.items);
    expect(l.items[0]!.metadata).toEqual({ name: 'j', resourceVersion: '2' });
    expect({ ...l }.items).toEqual(l.items);
    expect(l.apiVersion).toBe('batch/v1');
    expect(l.kind).toBe('JobList');
    // once decoded (and perhaps changed by its reader), json() sends the decoded items
    l.items[0]!.metadata.labels = { changed: 'yes' };
    expect(JSON.parse(l.json()).items[0].metadata.labels).toEqual({ changed: 'yes' });
  });
});
