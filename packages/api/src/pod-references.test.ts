import { describe, expect, it } from 'vitest';
import { podReferences } from './pod-references.js';
import type { Pod } from './types.js';

describe('podReferences', () => {
  it.each<[string, Record<string, unknown>, string[], string[]]>([
    ['nothing', { containers: [{ name: 'c' }] }, [], []],
    ['env and envFrom of every container kind', {
      containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } }] }],
      initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'cm2' } }, { secretRef: { name: 's2' }, prefix: 'P_' }] }],
      ephemeralContainers: [{ name: 'e', env: [{ name: 'C', valueFrom: { secretKeyRef: { name: 's3', key: 'k' } } }] }],
    }, ['cm1', 'cm2'], ['s1', 's2', 's3']],
    ['volumes and pull secrets', {
      containers: [{ name: 'c' }],
      imagePullSecrets: [{ name: 'pull' }, {}],
      volumes: [
        { name: 'a', configMap: { name: 'cm' } }, { name: 'b', secret: { secretName: 'sec' } }, { name: 'e', emptyDir: {} },
        { name: 'p', projected: { sources: [{ configMap: { name: 'pcm' } }, { secret: { name: 'psec' } }, { downwardAPI: {} }] } },
      ],
    }, ['cm', 'pcm'], ['pull', 'sec', 'psec']],
    ['malformed', { containers: 'x', volumes: [null, 1] }, [], []],
  ])('%s', (_n, spec, cms, secrets) => {
    const r = podReferences({ spec } as unknown as Pod);
    expect([...r.configMaps]).toEqual(cms);
    expect([...r.secrets]).toEqual(secrets);
  });
});
