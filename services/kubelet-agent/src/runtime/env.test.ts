import { describe, expect, it } from 'vitest';
import type { Container, Pod, Service } from '@kjobs/api';
import { DEFAULT_PATH, type EnvContext, buildContainerEnv, expandArgv, expandVars, fieldRefValue, kubernetesServiceEnv, serviceEnvVars } from './env.js';

describe('expandVars (Kubernetes $(VAR) rules)', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b', EMPTY: '' };
  it.each([
    ['$(A)', 'a'],
    ['x$(A)y$(B)z', 'xaybz'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$A', '$A'],
    ['$(A', '$(A'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$(EMPTY)x', 'x'],
    ['$$$(A)', '$a'],
    ['$()', '$()'],
  ])('%s → %s', (input, want) => {
    expect(expandVars(input, (n) => vars[n])).toBe(want);
  });
});

const svc = (name: string, ports: Service['spec']['ports'], clusterIP?: string): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { ports, ...(clusterIP ? { clusterIP } : {}) },
});

describe('serviceEnvVars', () => {
  it('builds the Kubernetes/Docker-link variables for a service', () => {
    const env = serviceEnvVars([svc('queue', [{ port: 8080, protocol: 'TCP', targetPort: 8080 }])], () => '127.1.0.7');
    expect(env).toEqual({
      QUEUE_SERVICE_HOST: '127.1.0.7',
      QUEUE_SERVICE_PORT: '8080',
      QUEUE_PORT: 'tcp://127.1.0.7:8080',
      QUEUE_PORT_8080_TCP: 'tcp://127.1.0.7:8080',
      QUEUE_PORT_8080_TCP_PROTO: 'tcp',
      QUEUE_PORT_8080_TCP_PORT: '8080',
      QUEUE_PORT_8080_TCP_ADDR: '127.1.0.7',
    });
  });

  it('names dashes as underscores, adds named ports, uses the first port for _SERVICE_PORT and _PORT', () => {
    const env = serviceEnvVars([svc('my-svc', [{ name: 'http', port: 80 }, { name: 'metrics-port', port: 9090, protocol: 'UDP' }])], () => '10.0.0.1');
    expect(env.MY_SVC_SERVICE_PORT).toBe('80');
    expect(env.MY_SVC_SERVICE_PORT_HTTP).toBe('80');
    expect(env.MY_SVC_SERVICE_PORT_METRICS_PORT).toBe('9090');
    expect(env.MY_SVC_PORT).toBe('tcp://10.0.0.1:80');
    expect(env.MY_SVC_PORT_9090_UDP).toBe('udp://10.0.0.1:9090');
    expect(env.MY_SVC_PORT_9090_UDP_PROTO).toBe('udp');
  });

  it.each<[string, Service, string | undefined, boolean]>([
    ['falls back to clusterIP', svc('a', [{ port: 1 }], '10.9.9.9'), undefined, true],
    ['skips headless without a pod', svc('a', [{ port: 1 }], 'None'), undefined, false],
    ['skips without any address', svc('a', [{ port: 1 }]), undefined, false],
    ['skips without ports', svc('a', []), '127.1.0.2', false],
  ])('%s', (_n, s, podIP, present) => {
    expect('A_SERVICE_HOST' in serviceEnvVars([s], () => podIP)).toBe(present);
  });

  it('kubernetes service env', () => {
    expect(kubernetesServiceEnv('127.0.0.1', 6443)).toMatchObject({
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: '6443',
      KUBERNETES_SERVICE_PORT_HTTPS: '6443',
      KUBERNETES_PORT: 'tcp://127.0.0.1:6443',
    });
  });
});

const pod = (over: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: {
    name: 'job-0-abc',
    namespace: 'ns1',
    uid: 'uid-1',
    labels: { app: 'x' },
    annotations: { 'batch.kubernetes.io/job-completion-index': '3' },
    ...meta,
  },
  spec: { containers: [{ name: 'c' }], ...over },
});

const ctx = (container: Partial<Container>, p: Pod = pod(), serviceEnv: Record<string, string> = {}): EnvContext => ({
  pod: p,
  container: { name: 'c', ...container },
  podIP: '127.1.0.5',
  hostIP: '127.0.0.1',
  nodeName: 'node-1',
  podDir: '/var/kjobs/pods/uid-1',
  serviceEnv,
});

describe('buildContainerEnv', () => {
  it('starts from nothing but the Kubernetes basics', () => {
    const r = buildContainerEnv(ctx({}));
    expect(r).toEqual({
      ok: true,
      env: { PATH: DEFAULT_PATH, HOME: '/var/kjobs/pods/uid-1', HOSTNAME: 'job-0-abc', POD_NAME: 'job-0-abc', POD_NAMESPACE: 'ns1', POD_IP: '127.1.0.5' },
    });
  });

  it('never includes the agent\'s own environment', () => {
    process.env.KJOBS_TEST_AGENT_SECRET = 'leak';
    try {
      const r = buildContainerEnv(ctx({}));
      expect(r.ok && Object.keys(r.env)).not.toContain('KJOBS_TEST_AGENT_SECRET');
    } finally {
      delete process.env.KJOBS_TEST_AGENT_SECRET;
    }
  });

  it('adds the network\'s variables (the egress proxy) under the container\'s own env', () => {
    const c = { ...ctx({ env: [{ name: 'NO_PROXY', value: 'mine' }] }), networkEnv: { HTTP_PROXY: 'http://10.244.0.1:3128', NO_PROXY: 'localhost' } };
    const r = buildContainerEnv(c);
    expect(r.ok && r.env.HTTP_PROXY).toBe('http://10.244.0.1:3128');
    expect(r.ok && r.env.NO_PROXY).toBe('mine');
  });

  it('uses spec.hostname for HOSTNAME (Indexed jobs)', () => {
    const r = buildContainerEnv(ctx({}, pod({ hostname: 'job-3' })));
    expect(r.ok && r.env.HOSTNAME).toBe('job-3');
  });

  it('layers service env, then container env with $(VAR) against earlier entries only', () => {
    const r = buildContainerEnv(
      ctx(
        {
          env: [
            { name: 'URL', value: 'http://$(QUEUE_SERVICE_HOST):8080/$(LATER)' },
            { name: 'LATER', value: 'x' },
            { name: 'AGAIN', value: '$(LATER)-$(URL)' },
            { name: 'PATH', value: '/opt/bin:$(PATH)' },
          ],
        },
        pod(),
        { QUEUE_SERVICE_HOST: '127.1.0.9' },
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.QUEUE_SERVICE_HOST).toBe('127.1.0.9');
    expect(r.env.URL).toBe('http://127.1.0.9:8080/$(LATER)');
    expect(r.env.AGAIN).toBe('x-http://127.1.0.9:8080/$(LATER)');
    // The image PATH is not a container env entry in Kubernetes either: $(PATH) stays literal.
    expect(r.env.PATH).toBe('/opt/bin:$(PATH)');
  });

  it('drops service env when enableServiceLinks is false, keeps the kubernetes service', () => {
    const c = ctx({}, pod({ enableServiceLinks: false }), { QUEUE_SERVICE_HOST: '1' });
    c.kubernetesEnv = { KUBERNETES_SERVICE_HOST: '127.0.0.1' };
    const r = buildContainerEnv(c);
    expect(r.ok && r.env.QUEUE_SERVICE_HOST).toBeUndefined();
    expect(r.ok && r.env.KUBERNETES_SERVICE_HOST).toBe('127.0.0.1');
  });

  it('resolves fieldRefs, JOB_COMPLETION_INDEX from the annotation', () => {
    const env = [
      ['JOB_COMPLETION_INDEX', "metadata.annotations['batch.kubernetes.io/job-completion-index']"],
      ['APP', "metadata.labels['app']"],
      ['NOPE', "metadata.labels['missing']"],
      ['NAME', 'metadata.name'],
      ['NS', 'metadata.namespace'],
      ['UID', 'metadata.uid'],
      ['NODE', 'spec.nodeName'],
      ['SA', 'spec.serviceAccountName'],
      ['IP', 'status.podIP'],
      ['HOST', 'status.hostIP'],
    ].map(([name, fieldPath]) => ({ name: name as string, valueFrom: { fieldRef: { fieldPath: fieldPath as string } } }));
    const r = buildContainerEnv(ctx({ env }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env).toMatchObject({ JOB_COMPLETION_INDEX: '3', APP: 'x', NOPE: '', NAME: 'job-0-abc', NS: 'ns1', UID: 'uid-1', NODE: 'node-1', SA: 'default', IP: '127.1.0.5', HOST: '127.0.0.1' });
  });

  it.each([
    [{ fieldRef: { fieldPath: 'spec.nope' } }, /unsupported fieldRef "spec.nope"/],
    [{ secretKeyRef: { name: 's', key: 'k' } }, /^secret "s" not found$/],
  ])('fails with a config error on %j', (valueFrom, err) => {
    const r = buildContainerEnv(ctx({ env: [{ name: 'X', valueFrom }] }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(err);
  });

  it('skips an optional unsupported source', () => {
    const r = buildContainerEnv(ctx({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'c', key: 'k', optional: true } } }] }));
    expect(r.ok && 'X' in r.env).toBe(false);
  });

  it('fieldRefValue prefers spec.nodeName over the agent node', () => {
    expect(fieldRefValue('spec.nodeName', { pod: pod({ nodeName: 'n9' }), podIP: '', hostIP: '', nodeName: 'n1' })).toBe('n9');
  });

  it('expandArgv uses the final environment', () => {
    expect(expandArgv(['echo', '$(POD_NAME)', '$(NOPE)'], { POD_NAME: 'p' })).toEqual(['echo', 'p', '$(NOPE)']);
  });
});
