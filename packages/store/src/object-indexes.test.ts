import { describe, expect, it } from 'vitest';
import { findResource, type KObject, type ResourceInfo } from '@kjobs/api';
import { StoreKeys } from './keys.js';
import { indexKeysFor } from './object-indexes.js';
import { decodeObject, encodeBody } from './object-codec.js';

const k = new StoreKeys('p');
const pods = findResource('', 'pods') as ResourceInfo;
const nodes = findResource('', 'nodes') as ResourceInfo;
const events = findResource('', 'events') as ResourceInfo;

describe('indexKeysFor', () => {
  it.each<[string, ResourceInfo, string, KObject, string[]]>([
    ['bare pod: all, namespace, empty field values', pods, 'ns', { metadata: { name: 'a' } },
      ['{p}:i:pods:all', '{p}:i:pods:ns:ns', '{p}:i:pods:f:spec.nodeName=', '{p}:i:pods:f:status.phase=']],
    ['labels, fields, owners', pods, 'ns',
      { metadata: { name: 'a', labels: { app: 'web', 'x.io/y': '' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u1' }, { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }] }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } },
      ['{p}:i:pods:all', '{p}:i:pods:ns:ns', '{p}:i:pods:l:app=web', '{p}:i:pods:l:x.io/y=', '{p}:i:pods:f:spec.nodeName=n1', '{p}:i:pods:f:status.phase=Running', '{p}:i:pods:owner=u1']],
    ['cluster-scoped: no namespace index', nodes, '', { metadata: { name: 'n1', labels: { zone: 'a' } } },
      ['{p}:i:nodes:all', '{p}:i:nodes:l:zone=a']],
    ['events: involvedObject.uid', events, 'ns', { metadata: { name: 'e' }, involvedObject: { uid: 'u9' } },
      ['{p}:i:events:all', '{p}:i:events:ns:ns', '{p}:i:events:f:involvedObject.uid=u9']],
  ])('%s', (_what, res, ns, obj, want) => {
    expect(indexKeysFor(k, res, ns, obj)).toEqual(want);
  });
});

describe('object codec', () => {
  it('stores no resourceVersion, injects it on read, and never mutates the input', () => {
    const obj = Object.freeze({ kind: 'Pod', metadata: Object.freeze({ name: 'a', resourceVersion: '5', labels: { a: 'b' } }) }) as KObject;
    const body = encodeBody(obj);
    expect(JSON.parse(body)).toEqual({ kind: 'Pod', metadata: { name: 'a', labels: { a: 'b' } } });
    expect(decodeObject(body, '9')).toEqual({ kind: 'Pod', metadata: { name: 'a', labels: { a: 'b' }, resourceVersion: '9' } });
    expect(obj.metadata.resourceVersion).toBe('5');
  });
});
