import { describe, expect, it } from 'vitest';
import type { ConfigMap, Pod, Secret } from '@kjobs/api';
import type { PodConfigData } from './config-data.js';
import { formatMap, isSafeRelativePath, samePayload, volumeKind, volumePayload, type VolumeSpec } from './volumes.js';

const DATA: PodConfigData = {
  configMaps: new Map<string, ConfigMap | null>([['cm', { metadata: { name: 'cm' }, data: { a: '1', b: '2' }, binaryData: { bin: Buffer.from([0, 1]).toString('base64') } }], ['gone', null]]),
  secrets: new Map<string, Secret | null>([['s', { metadata: { name: 's' }, data: { pw: Buffer.from('x').toString('base64') } }]]),
};
const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'a"b' }, annotations: {} }, spec: { containers: [], nodeName: 'n1' } };
const ctx = { pod, podIP: '10.0.0.5', hostIP: '127.0.0.1', nodeName: 'n1' };
const files = (v: VolumeSpec) => {
  const p = volumePayload(v, DATA, ctx);
  return p && (p.ok ? p.files.map((f) => `${f.path}:${f.mode.toString(8)}:${f.data.toString('hex')}`) : p.message);
};
const hex = (s: string) => Buffer.from(s).toString('hex');

describe('volumePayload', () => {
  it.each<[string, VolumeSpec, unknown]>([
    ['configMap: every key, data and binaryData, 0644', { name: 'v', configMap: { name: 'cm' } }, [`a:644:${hex('1')}`, `b:644:${hex('2')}`, 'bin:644:0001']],
    ['configMap items with paths and modes', { name: 'v', configMap: { name: 'cm', defaultMode: 0o440, items: [{ key: 'a', path: 'dir/x' }, { key: 'b', path: 'y', mode: 0o600 }] } }, [`dir/x:440:${hex('1')}`, `y:600:${hex('2')}`]],
    ['configMap item with a missing key', { name: 'v', configMap: { name: 'cm', items: [{ key: 'zz', path: 'z' }] } }, 'configmap references non-existent config key: zz'],
    ['optional configMap item with a missing key', { name: 'v', configMap: { name: 'cm', optional: true, items: [{ key: 'zz', path: 'z' }] } }, []],
    ['missing configMap', { name: 'v', configMap: { name: 'gone' } }, 'configmap "gone" not found'],
    ['missing optional configMap', { name: 'v', configMap: { name: 'gone', optional: true } }, []],
    ['an item path with ..', { name: 'v', configMap: { name: 'cm', items: [{ key: 'a', path: '../x' }] } }, 'invalid path "../x" for key a'],
    ['secret', { name: 'v', secret: { secretName: 's', defaultMode: 0o400 } }, [`pw:400:${hex('x')}`]],
    ['secret with a missing key', { name: 'v', secret: { secretName: 's', items: [{ key: 'no', path: 'no' }] } }, 'secret references non-existent secret key: no'],
    ['downwardAPI', { name: 'v', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } }, [`labels:644:${hex('app="a\\"b"')}`, `ip:644:${hex('10.0.0.5')}`]],
    ['projected: configMap + secret + downwardAPI', { name: 'v', projected: { defaultMode: 0o444, sources: [{ configMap: { name: 'cm', items: [{ key: 'a', path: 'a' }] } }, { secret: { name: 's' } }, { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } }] } }, [`a:444:${hex('1')}`, `pw:444:${hex('x')}`, `name:444:${hex('p')}`]],
    ['projected serviceAccountToken', { name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }, 'serviceAccountToken and clusterTrustBundle projections are not supported by kjobs (it serves no ServiceAccounts)'],
    ['emptyDir has no payload', { name: 'v', emptyDir: {} }, null],
  ])('%s', (_n, v, want) => {
    expect(files(v)).toEqual(want);
  });
});

describe('helpers', () => {
  it('volumeKind', () => {
    expect(volumeKind({ name: 'x', hostPath: { path: '/' } })).toBe('hostPath');
    expect(volumeKind({ name: 'x', persistentVolumeClaim: {} })).toBeUndefined();
  });
  it.each([['a/b', true], ['..a', true], ['../a', false], ['a/../b', false], ['/a', false], ['', false]])('isSafeRelativePath(%s) = %s', (p, want) => {
    expect(isSafeRelativePath(p)).toBe(want);
  });
  it('formatMap sorts and quotes', () => {
    expect(formatMap({ b: '2', a: 'x\ny' })).toBe('a="x\\ny"\nb="2"');
  });
  it('samePayload compares bytes and modes', () => {
    const f = { path: 'a', data: Buffer.from('1'), mode: 0o644 };
    expect(samePayload([f], [{ ...f }])).toBe(true);
    expect(samePayload([f], [{ ...f, mode: 0o600 }])).toBe(false);
    expect(samePayload([f], [{ ...f, data: Buffer.from('2') }])).toBe(false);
  });
});
