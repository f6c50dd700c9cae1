import { describe, expect, it } from 'vitest';
import { goJson } from '../go-json.js';
import { BUILTIN_SCHEMA, MERGE_PATCH_SCHEMA, jsonEqual, threeWayPatch } from './three-way-patch.js';

type Obj = Record<string, unknown>;
const LA = 'kubectl.kubernetes.io/last-applied-configuration';

/** A Job-ish object with template containers and volumes. */
function obj(o: { labels?: Obj; containers: Obj[]; volumes?: Obj[]; annotation?: string; extra?: Obj }): Obj {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', labels: o.labels, annotations: o.annotation ? { [LA]: o.annotation } : undefined, ...(o.extra?.metadata as Obj) },
    spec: { template: { spec: { containers: o.containers, ...(o.volumes ? { volumes: o.volumes } : {}), restartPolicy: 'Never' } }, ...(o.extra?.spec as Obj) },
    ...(o.extra?.status ? { status: o.extra.status } : {}),
  };
}

describe('threeWayPatch (strategic)', () => {
  it('reproduces the patch kubectl sent in the wire capture (reference §4.1)', () => {
    const original = obj({
      labels: { a: '1', b: '2' },
      containers: [{ name: 'c1', image: 'busybox:1', env: [{ name: 'FOO', value: '1' }, { name: 'BAR', value: '2' }] }, { name: 'c2', image: 'busybox' }],
      volumes: [{ name: 'v1', emptyDir: {} }],
    });
    const modified = obj({
      labels: { a: '1' }, annotation: 'NEW',
      containers: [{ name: 'c1', image: 'busybox:2', env: [{ name: 'BAR', value: '3' }] }],
      volumes: [{ name: 'v1', configMap: { name: 'cm' } }],
    });
    // The live object: the original plus server defaults, status and the old annotation.
    const current = obj({
      labels: { a: '1', b: '2', 'job-name': 'pi' }, annotation: 'OLD',
      containers: [
        { name: 'c1', image: 'busybox:1', env: [{ name: 'FOO', value: '1' }, { name: 'BAR', value: '2' }], terminationMessagePath: '/dev/termination-log' },
        { name: 'c2', image: 'busybox', imagePullPolicy: 'Always' },
      ],
      volumes: [{ name: 'v1', emptyDir: {} }],
      extra: { spec: { backoffLimit: 6, selector: { matchLabels: { 'controller-uid': 'u' } } }, status: { active: 1 } },
    });
    const patch = threeWayPatch(original, modified, current);
    expect(goJson(patch)).toBe(goJson({
      metadata: { annotations: { [LA]: 'NEW' }, labels: { b: null } },
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'c1' }],
        '$setElementOrder/volumes': [{ name: 'v1' }],
        containers: [
          { '$setElementOrder/env': [{ name: 'BAR' }], env: [{ name: 'BAR', value: '3' }, { $patch: 'delete', name: 'FOO' }], image: 'busybox:2', name: 'c1' },
          { $patch: 'delete', name: 'c2' },
        ],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, emptyDir: null, name: 'v1' }],
      } } },
    }));
    // Go sorts keys: the exact bytes kubectl sends.
    expect(goJson(patch).startsWith('{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"NEW"},"labels":{"b":null}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c1"}]')).toBe(true);
  });

  const base = { containers: [{ name: 'c', image: 'x:1', command: ['a', 'b'] }] };
  it.each([
    {
      name: 'unchanged manifest → {} (nothing sent)',
      original: obj(base), modified: obj({ ...base, annotation: 'A' }), current: obj({ ...base, annotation: 'A', extra: { status: { succeeded: 1 } } }),
      want: {},
    },
    {
      name: 'fields nobody applied (defaults, controller labels) are left alone',
      original: obj({ ...base, labels: { app: 'x' } }), modified: obj({ ...base, labels: { app: 'x' }, annotation: 'A' }),
      current: obj({ containers: [{ name: 'c', image: 'x:1', command: ['a', 'b'], imagePullPolicy: 'IfNotPresent' }], labels: { app: 'x', 'job-name': 'pi' }, annotation: 'A' }),
      want: {},
    },
    {
      name: 'a live change to an applied field is reverted',
      original: obj(base), modified: obj({ ...base, annotation: 'A' }),
      current: obj({ containers: [{ name: 'c', image: 'x:2', command: ['a', 'b'] }], annotation: 'A' }),
      want: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ image: 'x:1', name: 'c' }] } } } },
    },
    {
      name: 'lists without a merge key are replaced whole',
      original: obj(base), modified: obj({ containers: [{ name: 'c', image: 'x:1', command: ['a'] }], annotation: 'B' }), current: obj({ ...base, annotation: 'A' }),
      want: { metadata: { annotations: { [LA]: 'B' } }, spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ command: ['a'], name: 'c' }] } } } },
    },
    {
      name: 'no previous last-applied: nothing is deleted, additions still sent',
      original: undefined, modified: obj({ ...base, labels: { n: '1' }, annotation: 'A' }), current: obj({ ...base, labels: { old: '1' } }),
      want: { metadata: { annotations: { [LA]: 'A' }, labels: { n: '1' } } },
    },
    {
      name: 'a container added keeps the new item whole',
      original: obj(base), modified: obj({ containers: [...base.containers, { name: 'd', image: 'y' }], annotation: 'B' }), current: obj({ ...base, annotation: 'A' }),
      want: { metadata: { annotations: { [LA]: 'B' } }, spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'd' }], containers: [{ image: 'y', name: 'd' }] } } } },
    },
    {
      name: 'a removed top-level spec field becomes null',
      original: obj({ ...base, extra: { spec: { parallelism: 5 } } }), modified: obj({ ...base, annotation: 'B' }),
      current: obj({ ...base, annotation: 'A', extra: { spec: { parallelism: 5 } } }),
      want: { metadata: { annotations: { [LA]: 'B' } }, spec: { parallelism: null } },
    },
  ])('$name', ({ original, modified, current, want }) => {
    const patch = threeWayPatch(original, modified, current, BUILTIN_SCHEMA);
    expect(jsonEqual(patch, want)).toBe(true);
    if (!jsonEqual(patch, want)) expect(patch).toEqual(want);
  });

  it('container ports merge by containerPort, Service ports by port', () => {
    const svc = (ports: Obj[], ann: string): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'q', annotations: { [LA]: ann } }, spec: { ports } });
    const p = threeWayPatch(svc([{ port: 80, targetPort: 8080 }, { port: 81 }], 'o'), svc([{ port: 80, targetPort: 9090 }], 'n'), svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }, { port: 81, protocol: 'TCP' }], 'o'));
    expect(p.spec).toEqual({ '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 80, targetPort: 9090 }, { $patch: 'delete', port: 81 }] });
    const pod = (ports: Obj[]): Obj => obj({ containers: [{ name: 'c', ports }] });
    const q = threeWayPatch(pod([{ containerPort: 80 }, { containerPort: 81 }]), pod([{ containerPort: 80 }]), pod([{ containerPort: 80, protocol: 'TCP' }, { containerPort: 81, protocol: 'TCP' }]));
    expect(q).toEqual({ spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'c' }],
      containers: [{ '$setElementOrder/ports': [{ containerPort: 80 }], name: 'c', ports: [{ $patch: 'delete', containerPort: 81 }] }],
    } } } });
  });
});

describe('threeWayPatch (JSON merge patch, kinds kubectl does not know)', () => {
  it('replaces lists and nulls removed keys', () => {
    const o = { kind: 'Widget', spec: { items: [{ name: 'a' }, { name: 'b' }], x: 1 } };
    const m = { kind: 'Widget', spec: { items: [{ name: 'a' }] } };
    expect(threeWayPatch(o, m, o, MERGE_PATCH_SCHEMA)).toEqual({ spec: { items: [{ name: 'a' }], x: null } });
  });
});

describe('jsonEqual', () => {
  it.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: undefined }, {}, true],
    [{ a: null }, {}, false],
    [1, '1', false],
  ])('%j vs %j', (a, b, want) => {
    expect(jsonEqual(a, b)).toBe(want);
  });
});
