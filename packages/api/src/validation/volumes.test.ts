import { describe, expect, it } from 'vitest';
import type { FieldCause } from './field-errors.js';
import { validatePodSpec } from './pod-spec.js';

const msgs = (causes: FieldCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

function check(volumes: unknown[], mounts: unknown[] = []): string[] {
  const out: FieldCause[] = [];
  validatePodSpec({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', volumes, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File', volumeMounts: mounts }] }, 'spec', out);
  return msgs(out);
}

describe('pod volumes and volumeMounts', () => {
  it.each<[string, unknown[], unknown[], string[]]>([
    ['valid volumes and mounts', [{ name: 'a', configMap: { name: 'cm', items: [{ key: 'k', path: 'dir/k', mode: 0o400 }] } }, { name: 'b', emptyDir: {} }, { name: 'c', secret: { secretName: 's', defaultMode: 0o440 } }],
      [{ name: 'a', mountPath: '/etc/a' }, { name: 'b', mountPath: '/b', subPath: 'x/y' }], []],
    ['no source', [{ name: 'a' }], [], ['spec.volumes[0]: Required value: must specify a volume type']],
    ['two sources', [{ name: 'a', emptyDir: {}, configMap: { name: 'x' } }], [], ['spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type']],
    ['duplicate and bad names', [{ name: 'A', emptyDir: {} }, { name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }], [], [
      "spec.volumes[0].name: Invalid value: \"A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.volumes[2].name: Duplicate value: "v"',
    ]],
    ['configMap and secret names required, modes in range', [{ name: 'a', configMap: { defaultMode: 0o1000 } }, { name: 'b', secret: {} }], [], [
      'spec.volumes[0].configMap.name: Required value',
      'spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[1].secret.secretName: Required value',
    ]],
    ['item paths', [{ name: 'a', configMap: { name: 'c', items: [{ key: 'k', path: '/abs' }, { key: 'k', path: 'a/../b' }, { path: '..x' }] } }], [], [
      'spec.volumes[0].configMap.items[0].path: Invalid value: "/abs": must be a relative path',
      "spec.volumes[0].configMap.items[1].path: Invalid value: \"a/../b\": must not contain '..'",
      'spec.volumes[0].configMap.items[2].key: Required value',
      "spec.volumes[0].configMap.items[2].path: Invalid value: \"..x\": must not start with '..'",
    ]],
    ['hostPath type', [{ name: 'h', hostPath: { path: '/x', type: 'Dir' } }], [], [
      'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    ]],
    ['mounts: unknown volume, repeated path, bad subPath', [{ name: 'a', emptyDir: {} }], [{ name: 'nope', mountPath: '/x' }, { name: 'a', mountPath: '/x', subPath: '../up' }], [
      'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique',
      "spec.containers[0].volumeMounts.subPath: Invalid value: \"../up\": must not contain '..'",
    ]],
  ])('%s', (_n, volumes, mounts, want) => {
    expect(check(volumes, mounts)).toEqual(want);
  });
});
