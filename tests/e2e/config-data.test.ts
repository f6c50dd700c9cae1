/**
 * Configuration and data for Jobs end to end (issue 18): ConfigMaps and Secrets through real
 * kubectl, the node authorizer's limits on them, and pods that read them (env, volumes) in OCI
 * containers pulled from the cluster's local registry.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RegistryClient, pushImage } from '@kjobs/oci';
import { ensureTokens } from '../../scripts/cluster.js';
import { startRegistry, type TestRegistry } from '@kjobs/oci/testing';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;

beforeAll(async () => {
  // A 2 s refresh of the pods' ConfigMaps and Secrets (default 10 s) keeps the update tests short.
  e = await startE2E({ env: { KJOBS_RUNTIME: 'oci', KJOBS_CONFIG_REFRESH_MS: '2000' } });
  const seeded = await e.cluster.registry?.seeded;
  expect(seeded?.errors ?? []).toEqual([]);
}, 180_000);

afterAll(async () => {
  const home = e?.home;
  await e?.stop();
  // Stopped nodes leave no volume behind: no tmpfs of a secret or memory emptyDir stays mounted.
  if (home) expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(home);
}, 120_000);



const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('ConfigMaps and Secrets with kubectl', () => {
  it('kubectl create configmap --from-literal/--from-file, get shows DATA', async () => {
    const dir = mkdtempSync(path.join(e.home, 'cm-'));
    writeFileSync(path.join(dir, 'app.properties'), 'mode=batch\n');
    const r = await e.kubectl(['create', 'configmap', 'settings', '--from-literal=MODE=batch', '--from-literal=LEVEL=debug', `--from-file=${path.join(dir, 'app.properties')}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('configmap/settings created');
    const cm = await e.getJson('configmap', 'settings');
    expect(cm.data).toEqual({ MODE: 'batch', LEVEL: 'debug', 'app.properties': 'mode=batch\n' });
    const table = (await e.kubectl(['get', 'cm', 'settings'])).stdout;
    expect(table).toMatch(/^NAME\s+DATA\s+AGE\nsettings\s+3\s+\S+\n$/);
    const described = (await e.kubectl(['describe', 'configmap', 'settings'])).stdout;
    // kubectl describe walks a Go map: the keys come in any order.
    expect(described).toMatch(/\nData\n====\n/);
    expect(described).toMatch(/\nLEVEL:\n----\ndebug\n/);
  });

  it('kubectl create secret generic and docker-registry; get shows TYPE and DATA; stringData is merged and never stored', async () => {
    expect((await e.kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret', '--from-literal=user=me'])).stdout.trim()).toBe('secret/creds created');
    const s = await e.getJson('secret', 'creds');
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ password: b64('s3cret'), user: b64('me') });
    const reg = await e.kubectl(['create', 'secret', 'docker-registry', 'pull', '--docker-server=127.0.0.1:5999', '--docker-username=u', '--docker-password=p']);
    expect(reg.stderr).toBe('');
    const pull = await e.getJson('secret', 'pull');
    expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(pull.data['.dockerconfigjson'], 'base64').toString()).auths['127.0.0.1:5999']).toMatchObject({ username: 'u', password: 'p', auth: b64('u:p') });
    const file = path.join(mkdtempSync(path.join(e.home, 'sec-')), 'token');
    writeFileSync(file, 'abc123');
    expect((await e.kubectl(['create', 'secret', 'generic', 'fromfile', `--from-file=${file}`])).stdout.trim()).toBe('secret/fromfile created');
    expect((await e.getJson('secret', 'fromfile')).data).toEqual({ token: b64('abc123') });
    const describedSecret = (await e.kubectl(['describe', 'secret', 'creds'])).stdout;
    expect(describedSecret).toMatch(/Type:\s+Opaque\n\nData\n====\n/);
    expect(describedSecret).toMatch(/\npassword:\s+6 bytes\n/);
    expect(describedSecret).toMatch(/\nuser:\s+2 bytes\n/);
    const table = (await e.kubectl(['get', 'secrets'])).stdout;
    expect(table).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\n/);
    expect(table).toMatch(/\ncreds\s+Opaque\s+2\s+/);
    expect(table).toMatch(/\npull\s+kubernetes\.io\/dockerconfigjson\s+1\s+/);
    await e.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'strdata' }, stringData: { token: 'abc' }, data: { token: b64('old'), other: b64('x') } });
    const sd = await e.getJson('secret', 'strdata');
    expect(sd.data).toEqual({ token: b64('abc'), other: b64('x') });
    expect(sd.stringData).toBeUndefined();
  });

  it('validation speaks Kubernetes: bad keys, immutable, a dockerconfigjson without its key', async () => {
    // kubectl create checks keys itself; a manifest reaches the server.
    const bad = await e.kubectl(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { 'a b': '1' } }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ConfigMap "bad" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters');
    await e.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } });
    const r = await e.kubectl(['patch', 'configmap', 'frozen', '--type=merge', '-p', '{"data":{"a":"2"}}']);
    expect(r.stderr).toContain('ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    const noKey = await e.kubectl(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'nokey' }, type: 'kubernetes.io/dockerconfigjson', data: {} }) });
    expect(noKey.stderr).toContain('Secret "nokey" is invalid: data[.dockerconfigjson]: Required value');
    const notBase64 = await e.kubectl(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'raw' }, data: { pw: 'not base64!' } }) });
    expect(notBase64.stderr).toContain('illegal base64 data at input byte 3');
  });

  it('a node\'s credentials read a Secret only while a pod bound to that node refers to it (403 otherwise)', async () => {
    const tokens = ensureTokens(e.home, ['node-1', 'node-2']);
    await e.apply({
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

async function podOfJob(job: string): Promise<any> {
  const r = await e.kubectl(['get', 'pods', '-l', `job-name=${job}`, '-o', 'json']);
  return JSON.parse(r.stdout).items[0];
}

async function jobComplete(name: string, timeoutMs = 120_000): Promise<any> {
  return waitFor(`Job ${name} complete`, async () => {
    const j = await e.getJson('job', name);
    return j?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
  }, timeoutMs);
}

const job = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, ...spec } } },
});

describe('pods read ConfigMaps and Secrets (OCI containers)', () => {
  it('a Job reads a ConfigMap key from env and a Secret file from a volume, and logs both', async () => {
    await e.apply(job('reader', {
      containers: [{
        name: 'c', image: 'busybox',
        command: ['sh', '-c', 'echo "mode=$MODE level=$APP_LEVEL"; cat /etc/creds/password; echo; ls -a /etc/creds | tr "\\n" " "; echo; stat -c %a /etc/creds/..data/password; touch /etc/creds/x 2>/dev/null || echo read-only'],
        env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MODE' } } }],
        envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'APP_' }],
        volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }],
      }],
      volumes: [{ name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } }],
    }));
    await jobComplete('reader');
    const pod = await podOfJob('reader');
    const logs = (await e.kubectl(['logs', pod.metadata.name])).stdout.split('\n');
    expect(logs[0]).toBe('mode=batch level=debug');
    expect(logs[1]).toBe('s3cret');
    expect(logs[2]).toMatch(/^\. \.\. \.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\S+ \.\.data password user $/);
    expect(logs[3]).toBe('400');
    expect(logs[4]).toBe('read-only');
  });

  it('two containers share an emptyDir: one writes, the other reads', async () => {
    await e.apply(job('share', {
      containers: [
        { name: 'writer', image: 'busybox', command: ['sh', '-c', 'echo hello-from-writer > /work/msg.tmp && mv /work/msg.tmp /work/msg'], volumeMounts: [{ name: 'scratch', mountPath: '/work' }] },
        { name: 'reader', image: 'busybox', command: ['sh', '-c', 'for i in $(seq 1 100); do [ -f /data/msg ] && cat /data/msg && exit 0; sleep 0.1; done; exit 1'], volumeMounts: [{ name: 'scratch', mountPath: '/data', readOnly: true }] },
      ],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    }));
    await jobComplete('share');
    const pod = await podOfJob('share');
    expect((await e.kubectl(['logs', pod.metadata.name, '-c', 'reader'])).stdout.trim()).toBe('hello-from-writer');
  });

  it('a missing ConfigMap key: CreateContainerConfigError with the kubelet\'s message; it starts once the key exists', async () => {
    await e.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'partial' }, data: { a: '1' } });
    await e.apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'missing-key' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo b=$B'], env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'partial', key: 'b' } } }] }] },
    });
    const waiting = await waitFor('CreateContainerConfigError', async () => {
      const w = (await e.getJson('pod', 'missing-key'))?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    }, 60_000);
    expect(waiting.message).toBe("couldn't find key b in ConfigMap default/partial");
    expect((await e.kubectl(['get', 'pod', 'missing-key'])).stdout).toMatch(/missing-key\s+0\/1\s+CreateContainerConfigError\s+0\s+/);
    await e.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'partial' }, data: { a: '1', b: '2' } });
    await waitFor('missing-key Succeeded', async () => (await e.getJson('pod', 'missing-key'))?.status?.phase === 'Succeeded', 60_000);
    expect((await e.kubectl(['logs', 'missing-key'])).stdout.trim()).toBe('b=2');
  });

  it('a mounted ConfigMap follows updates (the ..data swap); a missing one is FailedMount until it exists', async () => {
    await e.apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'watcher' },
      spec: {
        restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'while true; do cat /cfg/greeting; echo; sleep 0.5; done'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
        volumes: [{ name: 'cfg', configMap: { name: 'live', items: [{ key: 'hello', path: 'greeting' }] } }],
      },
    });
    await waitFor('FailedMount event', async () => {
      const ev = JSON.parse((await e.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=watcher', '-o', 'json'])).stdout).items as { reason: string; message: string }[];
      return ev.find((x) => x.reason === 'FailedMount' && x.message === 'MountVolume.SetUp failed for volume "cfg" : configmap "live" not found');
    }, 60_000);
    expect((await e.getJson('pod', 'watcher')).status.phase).toBe('Pending');
    await e.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live' }, data: { hello: 'one' } });
    await waitFor('first content', async () => (await e.kubectl(['logs', 'watcher'])).stdout.includes('one'), 60_000);
    await e.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live' }, data: { hello: 'two' } });
    await waitFor('updated content', async () => (await e.kubectl(['logs', 'watcher', '--tail=1'])).stdout.trim() === 'two', 60_000);
    await e.kubectl(['delete', 'pod', 'watcher', '--wait=true']);
  });
});

describe('init containers and sidecars (OCI containers)', () => {
  it('an init container finishes before the main container starts, and kubectl shows Init:0/1 meanwhile', async () => {
    await e.apply(job('init-first', {
      initContainers: [{ name: 'prepare', image: 'busybox', command: ['sh', '-c', 'sleep 2; echo ready > /shared/flag'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /shared/flag'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      volumes: [{ name: 'shared', emptyDir: {} }],
    }));
    const seen = await waitFor('Init:0/1', async () => {
      const out = (await e.kubectl(['get', 'pods', '-l', 'job-name=init-first', '--no-headers'])).stdout;
      return /\bInit:0\/1\b/.test(out) ? out : undefined;
    }, 60_000, 100);
    expect(seen).toMatch(/0\/1\s+Init:0\/1/);
    await jobComplete('init-first');
    const p = await podOfJob('init-first');
    expect((await e.kubectl(['logs', p.metadata.name, '-c', 'main'])).stdout.trim()).toBe('ready');
    expect(Date.parse(p.status.containerStatuses[0].state.terminated.startedAt)).toBeGreaterThanOrEqual(Date.parse(p.status.initContainerStatuses[0].state.terminated.finishedAt) - 1000);
  });

  it('a sidecar (restartPolicy Always init container) does not keep its Job from completing: it is stopped when the main container is done', async () => {
    await e.apply(job('with-sidecar', {
      initContainers: [{ name: 'logger', image: 'busybox', restartPolicy: 'Always', command: ['sh', '-c', 'trap "echo stopped; exit 0" TERM; while true; do sleep 0.2; done'] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 1; echo work-done'] }],
    }));
    const j = await jobComplete('with-sidecar', 60_000);
    expect(j.status.succeeded).toBe(1);
    const p = await podOfJob('with-sidecar');
    expect(p.status.phase).toBe('Succeeded');
    expect(p.status.initContainerStatuses[0]).toMatchObject({ name: 'logger', state: { terminated: {} } });
    expect((await e.kubectl(['logs', p.metadata.name, '-c', 'logger'])).stdout.trim()).toBe('stopped');
    const ev = JSON.parse((await e.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${p.metadata.name}`, '-o', 'json'])).stdout).items as { reason: string; message: string }[];
    expect(ev.map((x) => `${x.reason}: ${x.message}`)).toContain('Killing: Stopping container logger');
  });
});

describe('private images: imagePullSecrets against a registry behind htpasswd auth', () => {
  let priv: TestRegistry;
  let host: string;
  const image = () => `${host}/kjobs/private-busybox:v1`;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(e.home, 'htpasswd-'));
    writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-nbB', 'puller', 'right-pass']));
    priv = await startRegistry(['auth:', '  htpasswd:', '    realm: kjobs-private', `    path: ${path.join(dir, 'htpasswd')}`].join('\n'));
    host = new URL(priv.url).host;
    // Copy the cluster's busybox into the private registry (pushed with the credentials).
    const src = new RegistryClient(e.cluster.registry!.url!);
    const repo = 'library/busybox';
    let m = JSON.parse((await src.getManifest(repo, 'latest')).body.toString());
    if (m.manifests) m = JSON.parse((await src.getManifest(repo, (m.manifests.find((x: any) => x.platform?.architecture === 'amd64') ?? m.manifests[0]).digest)).body.toString());
    const blob = async (digest: string) => Buffer.concat(await (await src.openBlob(repo, digest)).toArray());
    const layers = [];
    for (const l of m.layers) layers.push({ data: await blob(l.digest), mediaType: l.mediaType });
    await pushImage(priv.url, 'kjobs/private-busybox', 'v1', { config: await blob(m.config.digest), layers }, { credentials: { username: 'puller', password: 'right-pass' } });
  }, 120_000);

  afterAll(async () => {
    await priv?.stop();
  });

  const privatePod = (name: string, secrets: string[]) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { restartPolicy: 'Never', ...(secrets.length ? { imagePullSecrets: secrets.map((n) => ({ name: n })) } : {}), containers: [{ name: 'c', image: image(), command: ['sh', '-c', 'echo pulled-privately'] }] },
  });

  it('pulled with the imagePullSecret (kubectl create secret docker-registry)', async () => {
    const r = await e.kubectl(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${host}`, '--docker-username=puller', '--docker-password=right-pass']);
    expect(r.stderr).toBe('');
    await e.apply(privatePod('private-ok', ['regcred']));
    await waitFor('private-ok Succeeded', async () => (await e.getJson('pod', 'private-ok'))?.status?.phase === 'Succeeded', 90_000);
    expect((await e.kubectl(['logs', 'private-ok'])).stdout.trim()).toBe('pulled-privately');
  });

  it('refused without it, and with a wrong password: ErrImagePull with the registry\'s 401', async () => {
    await e.kubectl(['create', 'secret', 'docker-registry', 'badcred', `--docker-server=${host}`, '--docker-username=puller', '--docker-password=wrong']);
    for (const [name, secrets] of [['private-none', []], ['private-bad', ['badcred']]] as const) {
      // A fresh node-local image would let IfNotPresent skip the pull: Always makes every pod pull.
      const pod = privatePod(name, [...secrets]);
      (pod.spec.containers[0] as Record<string, unknown>).imagePullPolicy = 'Always';
      await e.apply(pod);
      const waiting = await waitFor(`${name} ErrImagePull`, async () => {
        const w = (await e.getJson('pod', name))?.status?.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === 'ErrImagePull' ? w : undefined;
      }, 60_000, 100);
      expect(waiting.message).toMatch(/401 Unauthorized/);
    }
  });
});

