import { describe, expect, it } from 'vitest';
import type { ConfigMap, Container, Pod, Secret } from '@kjobs/api';
import type { PodConfigData } from './config-data.js';
import { buildContainerEnv } from './env.js';
import { envFromVars, resolveKeyRef } from './env-sources.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const cm = (data: Record<string, string>, binaryData?: Record<string, string>): ConfigMap => ({ metadata: { name: 'x' }, data, ...(binaryData ? { binaryData } : {}) });
const secret = (data: Record<string, string>): Secret => ({ metadata: { name: 'x' }, type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });

const DATA: PodConfigData = {
  configMaps: new Map<string, ConfigMap | null | { error: string }>([
    ['settings', cm({ MODE: 'batch', 'log.level': 'debug', 'bad key': 'x' }, { blob: b64('bin') })],
    ['gone', null],
    ['broken', { error: 'couldn\'t get configmap "broken": timeout' }],
  ]),
  secrets: new Map<string, Secret | null | { error: string }>([['creds', secret({ password: 's3cret', user: 'me' })], ['missing', null]]),
};

describe('resolveKeyRef', () => {
  it.each<[string, 'configmap' | 'secret', Record<string, unknown>, unknown]>([
    ['a ConfigMap key', 'configmap', { name: 'settings', key: 'MODE' }, { ok: true, value: 'batch' }],
    ['a Secret key, decoded', 'secret', { name: 'creds', key: 'password' }, { ok: true, value: 's3cret' }],
    ['binaryData is not for env', 'configmap', { name: 'settings', key: 'blob' }, { ok: false, message: "couldn't find key blob in ConfigMap ns1/settings" }],
    ['a missing key', 'configmap', { name: 'settings', key: 'NOPE' }, { ok: false, message: "couldn't find key NOPE in ConfigMap ns1/settings" }],
    ['a missing Secret key', 'secret', { name: 'creds', key: 'token' }, { ok: false, message: "couldn't find key token in Secret ns1/creds" }],
    ['a missing optional key', 'configmap', { name: 'settings', key: 'NOPE', optional: true }, { ok: true, value: undefined }],
    ['a missing ConfigMap', 'configmap', { name: 'gone', key: 'k' }, { ok: false, message: 'configmap "gone" not found' }],
    ['a missing Secret', 'secret', { name: 'missing', key: 'k' }, { ok: false, message: 'secret "missing" not found' }],
    ['a missing optional Secret', 'secret', { name: 'missing', key: 'k', optional: true }, { ok: true, value: undefined }],
    ['a failed read is not skipped when optional', 'configmap', { name: 'broken', key: 'k', optional: true }, { ok: false, message: 'couldn\'t get configmap "broken": timeout' }],
  ])('%s', (_n, kind, ref, want) => {
    expect(resolveKeyRef(kind, ref, 'ns1', DATA)).toEqual(want);
  });
});

describe('envFromVars', () => {
  it('takes every text key with its prefix, later sources winning, and skips invalid names', () => {
    const r = envFromVars({ envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }, { configMapRef: { name: 'settings' }, prefix: 'X_' }] }, 'ns1', DATA);
    expect(r).toEqual({
      ok: true,
      vars: { MODE: 'batch', 'log.level': 'debug', DB_password: 's3cret', DB_user: 'me', X_MODE: 'batch', 'X_log.level': 'debug' },
      skipped: [{ kind: 'configMap', name: 'settings', keys: ['bad key'] }, { kind: 'configMap', name: 'settings', keys: ['X_bad key'] }],
    });
  });

  it.each<[string, Record<string, unknown>[], unknown]>([
    ['a missing source', [{ secretRef: { name: 'missing' } }], { ok: false, message: 'secret "missing" not found' }],
    ['an optional missing source', [{ configMapRef: { name: 'gone', optional: true } }], { ok: true, vars: {}, skipped: [] }],
  ])('%s', (_n, envFrom, want) => {
    expect(envFromVars({ envFrom } as Pick<Container, 'envFrom'>, 'ns1', DATA)).toEqual(want);
  });
});

describe('buildContainerEnv with ConfigMaps and Secrets', () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns1', uid: 'u' }, spec: { containers: [] } };
  const ctx = (container: Partial<Container>) => ({
    pod, container: { name: 'c', ...container }, podIP: '127.1.0.2', hostIP: '127.0.0.1', nodeName: 'n', podDir: '/pods/u', serviceEnv: { MODE: 'svc' }, configData: DATA,
  });

  it('env beats envFrom, envFrom beats service env; $(VAR) sees envFrom', () => {
    const r = buildContainerEnv(ctx({
      envFrom: [{ configMapRef: { name: 'settings' } }],
      env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }, { name: 'LINE', value: '$(MODE)/$(PW)' }, { name: 'log.level', value: 'info' }],
    }));
    expect(r.ok && { MODE: r.env.MODE, PW: r.env.PW, LINE: r.env.LINE, lvl: r.env['log.level'] }).toEqual({ MODE: 'batch', PW: 's3cret', LINE: 'batch/s3cret', lvl: 'info' });
  });

  it('a missing required key is a config error with the kubelet message', () => {
    const r = buildContainerEnv(ctx({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'missing' } } }] }));
    expect(r).toEqual({ ok: false, message: "couldn't find key missing in ConfigMap ns1/settings" });
  });

  it('an optional missing key leaves the variable unset', () => {
    const r = buildContainerEnv(ctx({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } }] }));
    expect(r.ok && 'X' in r.env).toBe(false);
  });
});
