/**
 * Configuration and data for Jobs end to end (issue 18): ConfigMaps and Secrets through real
 * kubectl, the node authorizer's limits on them, and pods that read them (env, volumes) in OCI
 * containers pulled from the cluster's local registry.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ensureTokens } from '../../scripts/cluster.js';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;

beforeAll(async () => {
  e = await startE2E({ env: { KJOBS_RUNTIME: 'oci' } });
  const seeded = await e.cluster.registry?.seeded;
  expect(seeded?.errors ?? []).toEqual([]);
}, 180_000);

afterAll(async () => {
  await e?.stop();
}, 120_000);

async function apply(obj: unknown): Promise<void> {
  const r = await e.kubectl(['apply', '-f', '-'], { input: stringify(obj) });
  expect(r.stderr).toBe('');
}

async function json(kind: string, name: string): Promise<any> {
  const r = await e.kubectl(['get', kind, name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('ConfigMaps and Secrets with kubectl', () => {
  it('kubectl create configmap --from-literal/--from-file, get shows DATA', async () => {
    const dir = mkdtempSync(path.join(e.home, 'cm-'));
    writeFileSync(path.join(dir, 'app.properties'), 'mode=batch\n');
    const r = await e.kubectl(['create', 'configmap', 'settings', '--from-literal=MODE=batch', '--from-literal=LEVEL=debug', `--from-file=${path.join(dir, 'app.properties')}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('configmap/settings created');
    const cm = await json('configmap', 'settings');
    expect(cm.data).toEqual({ MODE: 'batch', LEVEL: 'debug', 'app.properties': 'mode=batch\n' });
    const table = (await e.kubectl(['get', 'cm', 'settings'])).stdout;
    expect(table).toMatch(/^NAME\s+DATA\s+AGE\nsettings\s+3\s+\S+\n$/);
  });

  it('kubectl create secret generic and docker-registry; get shows TYPE and DATA; stringData is merged and never stored', async () => {
    expect((await e.kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret', '--from-literal=user=me'])).stdout.trim()).toBe('secret/creds created');
    const s = await json('secret', 'creds');
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ password: b64('s3cret'), user: b64('me') });
    const reg = await e.kubectl(['create', 'secret', 'docker-registry', 'pull', '--docker-server=127.0.0.1:5999', '--docker-username=u', '--docker-password=p']);
    expect(reg.stderr).toBe('');
    const pull = await json('secret', 'pull');
    expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(pull.data['.dockerconfigjson'], 'base64').toString()).auths['127.0.0.1:5999']).toMatchObject({ username: 'u', password: 'p', auth: b64('u:p') });
    const table = (await e.kubectl(['get', 'secrets'])).stdout;
    expect(table).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\n/);
    expect(table).toMatch(/\ncreds\s+Opaque\s+2\s+/);
    expect(table).toMatch(/\npull\s+kubernetes\.io\/dockerconfigjson\s+1\s+/);
    await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'strdata' }, stringData: { token: 'abc' }, data: { token: b64('old'), other: b64('x') } });
    const sd = await json('secret', 'strdata');
    expect(sd.data).toEqual({ token: b64('abc'), other: b64('x') });
    expect(sd.stringData).toBeUndefined();
  });

  it('validation speaks Kubernetes: bad keys, immutable, a dockerconfigjson without its key', async () => {
    // kubectl create checks keys itself; a manifest reaches the server.
    const bad = await e.kubectl(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { 'a b': '1' } }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ConfigMap "bad" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters');
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } });
    const r = await e.kubectl(['patch', 'configmap', 'frozen', '--type=merge', '-p', '{"data":{"a":"2"}}']);
    expect(r.stderr).toContain('ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    const noKey = await e.kubectl(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'nokey' }, type: 'kubernetes.io/dockerconfigjson', data: {} }) });
    expect(noKey.stderr).toContain('Secret "nokey" is invalid: data[.dockerconfigjson]: Required value');
  });

  it('a node\'s credentials read a Secret only while a pod bound to that node refers to it (403 otherwise)', async () => {
    const tokens = ensureTokens(e.home, ['node-1', 'node-2']);
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'holder' },
      spec: { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '30'], env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }] }] },
    });
    const as = (node: string, args: string[]) => e.kubectl([`--token=${tokens.get(`system:node:${node}`)}`, ...args]);
    const own = await as('node-1', ['get', 'secret', 'creds', '-o', 'jsonpath={.data.password}']);
    expect(own.stderr).toBe('');
    expect(own.stdout).toBe(b64('s3cret'));
    const other = await as('node-2', ['get', 'secret', 'creds']);
    expect(other.stderr).toContain('Error from server (Forbidden): secrets "creds" is forbidden: User "system:node:node-2" cannot get resource "secrets" in API group "" in the namespace "default"');
    const unrelated = await as('node-1', ['get', 'secret', 'pull']);
    expect(unrelated.stderr).toContain('(Forbidden)');
    const list = await as('node-1', ['get', 'secrets']);
    expect(list.stderr).toContain('cannot list resource "secrets"');
    await e.kubectl(['delete', 'pod', 'holder', '--wait=false']);
  });
});
