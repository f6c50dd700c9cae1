import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults/apply-defaults.js';
import type { KObject } from '../types.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config-data.js';
import type { Json } from '../testing/fixtures.js';
import { base64ErrorOffset } from '../decode/schema-check.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function configMap(edit: (m: Json) => void = () => {}): Json {
  const m: Json = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { 'app.mode': 'batch' } };
  edit(m);
  return applyDefaults('ConfigMap', m as KObject) as Json;
}

function secret(edit: (m: Json) => void = () => {}): Json {
  const m: Json = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, data: { password: b64('s3cret') } };
  edit(m);
  return applyDefaults('Secret', m as KObject) as Json;
}

describe('ConfigMap', () => {
  it.each<[string, (m: Json) => void, string[]]>([
    ['data and binaryData', (m) => { m.binaryData = { blob: b64('\u0000\u0001') }; }, []],
    ['a key with a slash', (m) => { m.data = { 'a/b': 'x' }; }, [`data[a/b]: Invalid value: "a/b": ${KEY_MSG}`]],
    ['a key ..x', (m) => { m.data = { '..x': 'x' }; }, ['data[..x]: Invalid value: "..x": must not start with \'..\'']],
    ['a key in both bags', (m) => { m.binaryData = { 'app.mode': b64('x') }; }, ['data[app.mode]: Invalid value: "app.mode": duplicate of key present in binaryData']],
    ['over 1 MiB', (m) => { m.data = { big: 'x'.repeat(1024 * 1024 + 1) }; }, [': Too long: may not be more than 1048576 bytes']],
    ['an upper-case name', (m) => { m.metadata.name = 'Settings'; }, [
      "metadata.name: Invalid value: \"Settings\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]],
  ])('%s', (_name, edit, want) => {
    expect(msgs(validateConfigMap(configMap(edit)))).toEqual(want);
  });

  it('immutable freezes data and stays set', () => {
    const old = configMap((m) => { m.immutable = true; m.metadata.resourceVersion = '1'; });
    const changed = configMap((m) => { m.metadata.resourceVersion = '1'; m.data = { 'app.mode': 'other' }; });
    expect(msgs(validateConfigMapUpdate(changed, old))).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    const same = configMap((m) => { m.immutable = true; m.metadata.resourceVersion = '1'; m.metadata.labels = { a: 'b' }; });
    expect(validateConfigMapUpdate(same, old)).toEqual([]);
  });
});

describe('Secret', () => {
  it('defaults type Opaque and merges stringData into data (stringData wins)', () => {
    const s = secret((m) => { m.stringData = { password: 'plain', user: 'me' }; });
    expect(s.type).toBe('Opaque');
    expect(s.stringData).toBeUndefined();
    expect(s.data).toEqual({ password: b64('plain'), user: b64('me') });
  });

  it.each<[string, (m: Json) => void, string[]]>([
    ['opaque', () => {}, []],
    ['a bad key', (m) => { m.data = { 'a b': b64('x') }; }, [`data[a b]: Invalid value: "a b": ${KEY_MSG}`]],
    ['over 1 MiB', (m) => { m.data = { big: Buffer.alloc(1024 * 1024 + 1).toString('base64') }; }, ['data: Too long: may not be more than 1048576 bytes']],
    ['dockerconfigjson without its key', (m) => { m.type = 'kubernetes.io/dockerconfigjson'; m.data = {}; }, ['data[.dockerconfigjson]: Required value']],
    ['dockerconfigjson with broken JSON', (m) => { m.type = 'kubernetes.io/dockerconfigjson'; m.data = { '.dockerconfigjson': b64('{x') }; }, [
      expect.stringMatching(/^data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>": /) as unknown as string,
    ]],
    ['dockerconfigjson', (m) => { m.type = 'kubernetes.io/dockerconfigjson'; m.data = { '.dockerconfigjson': b64('{"auths":{}}') }; }, []],
    ['basic-auth with neither key', (m) => { m.type = 'kubernetes.io/basic-auth'; m.data = {}; }, ['data[username]: Required value', 'data[password]: Required value']],
    ['basic-auth with a password only', (m) => { m.type = 'kubernetes.io/basic-auth'; m.data = { password: '' }; }, []],
    ['tls without its keys', (m) => { m.type = 'kubernetes.io/tls'; m.data = {}; }, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']],
    ['ssh-auth with an empty key', (m) => { m.type = 'kubernetes.io/ssh-auth'; m.data = { 'ssh-privatekey': '' }; }, ['data[ssh-privatekey]: Required value']],
  ])('%s', (_name, edit, want) => {
    expect(msgs(validateSecret(secret(edit)))).toEqual(want);
  });

  it('type is immutable; immutable freezes data', () => {
    const old = secret((m) => { m.metadata.resourceVersion = '1'; m.immutable = true; });
    const changed = secret((m) => { m.metadata.resourceVersion = '1'; m.type = 'Other'; m.immutable = true; m.data = { password: b64('new') }; });
    expect(msgs(validateSecretUpdate(changed, old))).toEqual([
      'type: Invalid value: "Other": field is immutable',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('Secret data must be base64 (decoding)', () => {
  it.each<[string, number | undefined]>([
    ['czNjcmV0', undefined], ['YQ==', undefined], ['YWI=', undefined], ['', undefined], ['YQ==\n', undefined],
    ['s3cret!!', 6], ['abc', 0], ['abcde', 4], ['a===', 1], ['YQ==YQ==', 4], ['YQ=x', 3],
  ])('%j → %s', (text, want) => {
    expect(base64ErrorOffset(text)).toBe(want);
  });
});
