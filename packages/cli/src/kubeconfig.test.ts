import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { findKubeconfig, findKubeconfigs, mergeKubeconfigs, parseKubeconfig, resolveConnection, type Kubeconfig } from './kubeconfig.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

/** What the api-server writes (JSON). */
const JSON_CONFIG = JSON.stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'kjobs', preferences: {},
  clusters: [{ name: 'kjobs', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': CA.toString('base64') } }],
  users: [{ name: 'kjobs-admin', user: { token: 'secret' } }],
  contexts: [{ name: 'kjobs', context: { cluster: 'kjobs', user: 'kjobs-admin', namespace: 'default' } }],
});

const YAML_CONFIG = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:7443/
    certificate-authority: pki/ca.crt
- name: plain
  cluster:
    server: http://127.0.0.1:8080
    insecure-skip-tls-verify: true
users:
- name: me
  user:
    tokenFile: token.txt
contexts:
- name: dev
  context: {cluster: local, user: me, namespace: jobs}
- name: other
  context: {cluster: plain}
`;

const noFiles = (p: string): Buffer => {
  throw new Error(`unexpected read of ${p}`);
};

describe('parseKubeconfig', () => {
  it('reads the JSON kubeconfig the api-server writes', () => {
    const c = parseKubeconfig(JSON_CONFIG, 'kc');
    expect(c.currentContext).toBe('kjobs');
    expect(c.clusters[0]!.cluster['certificate-authority-data']).toBe(CA.toString('base64'));
    expect(c.users[0]!.user.token).toBe('secret');
  });
  it('reads YAML', () => {
    const c = parseKubeconfig(YAML_CONFIG, 'kc');
    expect(c.contexts.map((x) => x.name)).toEqual(['dev', 'other']);
    expect(c.contexts[0]!.context.namespace).toBe('jobs');
  });
  it.each([
    ['clusters: {a: 1}', /"clusters" must be a list/],
    ['clusters:\n- cluster: {server: x}', /clusters\[0\] has no name/],
    ['[1, 2]', /not a kubeconfig/],
    ['a: [', /error loading config file "kc"/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseKubeconfig(text, 'kc')).toThrow(msg);
  });
  it('an empty file is an empty config', () => {
    expect(parseKubeconfig('', 'kc')).toEqual({ clusters: [], users: [], contexts: [], currentContext: undefined });
  });
});

describe('findKubeconfig', () => {
  const cwd = '/work/proj';
  const home = '/home/u';
  const base = { cwd, home };
  it.each([
    { name: '--kubeconfig wins', s: { ...base, flag: 'my/kc', kubeconfigEnv: '/e/kc', kjobsHome: '/h' }, files: ['/work/proj/my/kc', '/e/kc'], want: '/work/proj/my/kc' },
    { name: '$KUBECONFIG: first existing entry', s: { ...base, kubeconfigEnv: `/missing${path.delimiter}/e/kc`, kjobsHome: '/h' }, files: ['/e/kc', '/h/kubeconfig'], want: '/e/kc' },
    { name: '$KJOBS_HOME/kubeconfig', s: { ...base, kjobsHome: '/h' }, files: ['/h/kubeconfig', '/work/proj/.kjobs/kubeconfig'], want: '/h/kubeconfig' },
    { name: './.kjobs/kubeconfig', s: { ...base, kjobsHome: '/h' }, files: ['/work/proj/.kjobs/kubeconfig', '/home/u/.kube/config'], want: '/work/proj/.kjobs/kubeconfig' },
    { name: '~/.kube/config last', s: base, files: ['/home/u/.kube/config'], want: '/home/u/.kube/config' },
    { name: 'nothing', s: base, files: [], want: undefined },
  ])('$name', ({ s, files, want }) => {
    expect(findKubeconfig(s, (p) => (files as string[]).includes(p))).toBe(want);
  });
  it('an explicit --kubeconfig must exist', () => {
    expect(() => findKubeconfig({ ...base, flag: 'nope' }, () => false)).toThrow(CliError);
  });
});

describe('resolveConnection', () => {
  const json = parseKubeconfig(JSON_CONFIG, 'kc');
  const yaml = parseKubeconfig(YAML_CONFIG, 'kc');
  const files: Record<string, Buffer> = { '/cfg/pki/ca.crt': CA, '/cfg/token.txt': Buffer.from('tok-from-file\n') };
  const read = (p: string) => {
    const f = files[p];
    if (!f) throw new Error(`no ${p}`);
    return f;
  };

  it.each([
    {
      name: 'current context: server, CA data, token, namespace',
      cfg: json, flags: {}, want: { server: 'https://127.0.0.1:6443', token: 'secret', ca: CA, insecureSkipTLSVerify: false, namespace: 'default', namespaceExplicit: false },
    },
    {
      name: 'CA file and tokenFile relative to the kubeconfig; trailing slash dropped',
      cfg: yaml, flags: {}, want: { server: 'https://127.0.0.1:7443', token: 'tok-from-file', ca: CA, namespace: 'jobs' },
    },
    {
      name: '--context picks another cluster; insecure-skip-tls-verify; no user',
      cfg: yaml, flags: { context: 'other' }, want: { server: 'http://127.0.0.1:8080', token: undefined, ca: undefined, insecureSkipTLSVerify: true, namespace: 'default' },
    },
    {
      name: 'flags override: -n, --token, --insecure-skip-tls-verify',
      cfg: json, flags: { namespace: 'work', token: 't2', insecureSkipTlsVerify: true }, want: { token: 't2', insecureSkipTLSVerify: true, namespace: 'work', namespaceExplicit: true },
    },
    {
      name: '--server to another address drops the kubeconfig CA',
      cfg: json, flags: { server: 'https://10.0.0.1:6443' }, want: { server: 'https://10.0.0.1:6443', ca: undefined, token: 'secret' },
    },
    {
      name: 'no kubeconfig, --server only',
      cfg: undefined, flags: { server: 'http://127.0.0.1:1' }, want: { server: 'http://127.0.0.1:1', namespace: 'default', insecureSkipTLSVerify: false },
    },
  ])('$name', ({ cfg, flags, want }) => {
    expect(resolveConnection(cfg as Kubeconfig | undefined, flags, '/cfg/kubeconfig', cfg === yaml ? read : noFiles)).toMatchObject(want);
  });

  it.each([
    { name: 'unknown --context', cfg: json, flags: { context: 'nope' }, msg: /context "nope" does not exist/ },
    { name: 'nothing to connect to', cfg: undefined, flags: {}, msg: /start the cluster with `npm start`/ },
    { name: 'context names a missing cluster', cfg: parseKubeconfig('current-context: a\ncontexts:\n- name: a\n  context: {cluster: gone}\n', 'kc'), flags: {}, msg: /cluster "gone"/ },
  ])('fails: $name', ({ cfg, flags, msg }) => {
    expect(() => resolveConnection(cfg, flags, '/cfg/kubeconfig', noFiles)).toThrow(msg);
  });
});

describe('$KUBECONFIG with several files (kubectl merge rules)', () => {
  const a = parseKubeconfig(`current-context: ""
clusters:
- {name: shared, cluster: {server: https://a:1, certificate-authority: ca.crt}}
users:
- {name: u, user: {tokenFile: tok}}
contexts:
- {name: c1, context: {cluster: shared, user: u, namespace: from-a}}
`, '/a/config');
  const b = parseKubeconfig(`current-context: c2
clusters:
- {name: shared, cluster: {server: https://b:2}}
- {name: only-b, cluster: {server: https://b:3}}
users:
- {name: u, user: {token: from-b}}
contexts:
- {name: c1, context: {cluster: only-b}}
- {name: c2, context: {cluster: only-b, user: u}}
`, '/b/config');
  const c = parseKubeconfig('current-context: c1\n', '/c/config');

  it('lists every existing file of $KUBECONFIG once, in order; the fallbacks only when none exists', () => {
    const s = { kubeconfigEnv: ['/b/config', '/missing', '/a/config', '/b/config', ''].join(path.delimiter), kjobsHome: '/h', cwd: '/w', home: '/home/u' };
    expect(findKubeconfigs(s, (p) => ['/a/config', '/b/config', '/h/kubeconfig'].includes(p))).toEqual(['/b/config', '/a/config']);
    expect(findKubeconfigs(s, (p) => p === '/h/kubeconfig')).toEqual(['/h/kubeconfig']);
    expect(findKubeconfigs({ ...s, flag: 'k' }, (p) => p === '/w/k')).toEqual(['/w/k']);
  });

  it('the first file wins each cluster, user and context whole; current-context from the first that sets it', () => {
    const m = mergeKubeconfigs([{ file: '/a/config', config: a }, { file: '/b/config', config: b }, { file: '/c/config', config: c }]);
    expect(m.currentContext).toBe('c2');
    expect(m.clusters).toEqual([
      { name: 'shared', cluster: { server: 'https://a:1', 'certificate-authority': '/a/ca.crt' } },
      { name: 'only-b', cluster: { server: 'https://b:3' } },
    ]);
    expect(m.users).toEqual([{ name: 'u', user: { tokenFile: '/a/tok' } }]);
    expect(m.contexts.map((x) => [x.name, x.context.cluster])).toEqual([['c1', 'shared'], ['c2', 'only-b']]);
    // c2 (from b) uses user u, which a won: the token is read from a's directory.
    const conn = resolveConnection(m, {}, undefined, (p) => Buffer.from(p === '/a/tok' ? 'tok-a\n' : 'wrong'));
    expect(conn).toMatchObject({ server: 'https://b:3', token: 'tok-a' });
    expect(resolveConnection(m, { context: 'c1' }, undefined, (p) => Buffer.from(`pem of ${p}`)))
      .toMatchObject({ server: 'https://a:1', namespace: 'from-a', ca: Buffer.from('pem of /a/ca.crt') });
  });
});
