import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Job, type KObject, type Pod, type Status, type WatchEvent } from '@kjobs/api';
import type { ApiClient } from '@kjobs/client';
import { startHarness, type Harness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const job = (name: string, extra: Partial<Job['spec']> = {}, labels: Record<string, string> = {}): Job => ({
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: { name, namespace: 'default', labels },
  spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' } }, ...extra },
});
const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' },
});

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectApiError(p: Promise<unknown>, code: number, reason: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(code);
    expect((e as ApiError).reason).toBe(reason);
    return e as ApiError;
  }
  throw new Error(`expected ${code} ${reason}, got success`);
}

for (const transport of ['http', 'nats'] as const) {
  describe(`verbs over ${transport}`, () => {
    const c = (): ApiClient => (transport === 'http' ? h.http : h.nats);
    const n = (s: string) => `${s}-${transport}`;

    it('NamespaceLifecycle: a create in a missing namespace is 404; once a namespace is deleted, creates in it fail at once', async () => {
      const ns = n('lifecycle');
      const inNs = (name: string): Pod => ({ ...pod(name), metadata: { name, namespace: ns } });
      await expectApiError(c().create('Pod', inNs('early')), 404, 'NotFound');
      await c().create('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await c().create('Pod', inNs('first'));
      await c().delete('Namespace', '', ns);
      const gone = await c().get<KObject>('Namespace', '', ns).then((o) => o, () => undefined);
      if (gone) await expectApiError(c().create('Pod', inNs('late')), 403, 'Forbidden');
      else await expectApiError(c().create('Pod', inNs('late')), 404, 'NotFound');
    });

    it('creates a Job with Kubernetes defaults, the generated selector and labels', async () => {
      const created = await c().create('Job', job(n('defaults')));
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.metadata.generation).toBe(1);
      expect(created.spec.parallelism).toBe(1);
      expect(created.spec.completions).toBe(1);
      expect(created.spec.backoffLimit).toBe(6);
      expect(created.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(created.metadata.uid);
      const tl = created.spec.template.metadata?.labels ?? {};
      expect(tl['job-name']).toBe(n('defaults'));
      expect(tl['batch.kubernetes.io/job-name']).toBe(n('defaults'));
      expect(tl['controller-uid']).toBe(created.metadata.uid);
      const got = await c().get<Job>('Job', 'default', n('defaults'));
      expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    });

    it('lists with label selectors and deletes', async () => {
      await c().create('Pod', pod(n('sel-a'), { app: 'web', tier: 'fe', via: transport }));
      await c().create('Pod', pod(n('sel-b'), { app: 'web', tier: 'be', via: transport }));
      await c().create('Pod', pod(n('sel-c'), { app: 'db', via: transport }));
      const web = await c().list<Pod>('Pod', { namespace: 'default', labelSelector: `app=web,via=${transport}` });
      expect(web.kind).toBe('PodList');
      expect(web.items.map((p) => p.metadata.name).sort()).toEqual([n('sel-a'), n('sel-b')]);
      const notFe = await c().list<Pod>('Pod', { namespace: 'default', labelSelector: `app in (web,db),tier notin (fe),via=${transport}` });
      expect(notFe.items.map((p) => p.metadata.name).sort()).toEqual([n('sel-b'), n('sel-c')]);
      const del = await c().delete('Pod', 'default', n('sel-c'));
      expect((del as Status).status).toBe('Success');
      await expectApiError(c().get('Pod', 'default', n('sel-c')), 404, 'NotFound');
    });

    it('answers 409 on a stale update and keeps the winner', async () => {
      const created = await c().create('Pod', pod(n('stale')));
      const a = await c().update('Pod', { ...created, metadata: { ...created.metadata, labels: { v: '1' } } });
      expect(a.metadata.labels).toEqual({ v: '1' });
      const err = await expectApiError(c().update('Pod', { ...created, metadata: { ...created.metadata, labels: { v: '2' } } }), 409, 'Conflict');
      expect(err.message).toContain('the object has been modified');
      expect((await c().get('Pod', 'default', n('stale'))).metadata.labels).toEqual({ v: '1' });
    });

    it('answers 409 to a stale status write before judging it against the newer object', async () => {
      const created = await c().create<Job>('Job', job(n('stale-status')));
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const target = { type: 'FailureTarget', status: 'True' as const, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now };
      await c().update<Job>('Job', { ...created, status: { ...created.status, startTime: now, conditions: [target] } }, { subresource: 'status' });
      // Against the stored object this write would drop a terminal condition (422); it is stale, so 409.
      await expectApiError(c().update<Job>('Job', { ...created, status: { ...created.status, startTime: now, active: 1 } }, { subresource: 'status' }), 409, 'Conflict');
    });

    it('patches with merge and JSON patches; status is a separate subresource', async () => {
      await c().create('Job', job(n('patch')));
      const merged = await c().patch<Job>('Job', 'default', n('patch'), 'merge', { metadata: { labels: { a: 'b' } }, spec: { suspend: true } });
      expect(merged.metadata.labels?.a).toBe('b');
      expect(merged.spec.suspend).toBe(true);
      expect(merged.metadata.generation).toBe(2);
      const jp = await c().patch<Job>('Job', 'default', n('patch'), 'json', [{ op: 'replace', path: '/metadata/labels/a', value: 'c' }]);
      expect(jp.metadata.labels?.a).toBe('c');
      // A status written through the main resource is ignored; /status writes it.
      const ignored = await c().patch<Job>('Job', 'default', n('patch'), 'merge', { status: { active: 3 } });
      expect(ignored.status?.active).toBeUndefined();
      const st = await c().patch<Job>('Job', 'default', n('patch'), 'merge', { status: { active: 1 } }, { subresource: 'status' });
      expect(st.status?.active).toBe(1);
      expect(st.metadata.generation).toBe(2);
    });

    it.each([
      ['parallelism: -1', job('neg', { parallelism: -1 }), 'spec.parallelism'],
      ['an upper-case name', job('UpperCase'), 'metadata.name'],
      ['restartPolicy: Always', { ...job('always'), spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Always' as const } } } }, 'spec.template.spec.restartPolicy'],
    ])('refuses a Job with %s as 422 Invalid with a field cause and stores nothing', async (_what, body, field) => {
      const name = `${body.metadata.name}-${transport}`.replace('UpperCase', `UpperCase${transport}`);
      const err = await expectApiError(c().create('Job', { ...body, metadata: { ...body.metadata, name } }), 422, 'Invalid');
      expect(err.details?.kind).toBe('Job');
      expect(err.details?.causes?.map((x) => x.field)).toContain(field);
      const all = await c().list('Job', { namespace: 'default' });
      expect(all.items.find((j) => j.metadata.name === name)).toBeUndefined();
    });

    it('deletes a Job with Foreground propagation by marking it with a finalizer', async () => {
      await c().create('Job', job(n('fg')));
      const r = (await c().delete('Job', 'default', n('fg'), { propagationPolicy: 'Foreground' })) as KObject;
      expect(r.metadata.deletionTimestamp).toBeTruthy();
      expect(r.metadata.finalizers).toContain('foregroundDeletion');
      // Removing the finalizer completes the deletion.
      await c().patch('Job', 'default', n('fg'), 'merge', { metadata: { finalizers: null } });
      await expectApiError(c().get('Job', 'default', n('fg')), 404, 'NotFound');
    });

    it('watches from a list resourceVersion: every later change once and in order', async () => {
      const ns = 'default';
      const label = `w${transport}`;
      const list = await c().list('Pod', { namespace: ns, labelSelector: `watch=${label}` });
      const seen: WatchEvent[] = [];
      const w = c().watch('Pod', { namespace: ns, labelSelector: `watch=${label}`, resourceVersion: list.metadata.resourceVersion }, (ev) => seen.push(ev));
      await new Promise((r) => setTimeout(r, 100));
      const names = Array.from({ length: 10 }, (_, i) => n(`w${i}`));
      for (const name of names) await c().create('Pod', pod(name, { watch: label }));
      await c().patch('Pod', ns, names[0]!, 'merge', { metadata: { labels: { watch: 'other' } } });
      await c().delete('Pod', ns, names[1]!);
      await waitFor('12 events', () => (seen.length >= 12 ? true : undefined));
      w.stop();
      expect(seen.slice(0, 10).map((e) => [e.type, e.object.metadata.name])).toEqual(names.map((x) => ['ADDED', x]));
      // Leaving the selection is a DELETED for this watch; a delete is a DELETED.
      expect(seen.slice(10).map((e) => [e.type, e.object.metadata.name])).toEqual([['DELETED', names[0]], ['DELETED', names[1]]]);
      const rvs = seen.map((e) => BigInt(e.object.metadata.resourceVersion!));
      expect([...rvs].sort((a, b) => (a < b ? -1 : 1))).toEqual(rvs);
    });
  });
}

describe('HTTP-only behaviour', () => {
  const raw = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => h.http.raw(method, path, body, headers);
  const jobsPath = '/apis/batch/v1/namespaces/default/jobs';

  it('answers 400 BadRequest Status for malformed JSON and YAML and stores nothing', async () => {
    const before = await h.http.list('Job', { namespace: 'default' });
    const j = await raw('POST', jobsPath, '{"apiVersion": "batch/v1", "kind": ', { 'content-type': 'application/json' });
    expect(j.status).toBe(400);
    expect(JSON.parse(j.text)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const y = await raw('POST', jobsPath, 'apiVersion: batch/v1\nkind: Job\n  metadata: [unclosed', { 'content-type': 'application/yaml' });
    expect(y.status).toBe(400);
    expect(JSON.parse(y.text).reason).toBe('BadRequest');
    const after = await h.http.list('Job', { namespace: 'default' });
    expect(after.items.length).toBe(before.items.length);
  });

  it('answers 413 for a 4 MiB body', async () => {
    const big = JSON.stringify({ ...job('big'), metadata: { name: 'big', annotations: { x: 'a'.repeat(4 * 1024 * 1024) } } });
    const r = await raw('POST', jobsPath, big, { 'content-type': 'application/json' });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    await expectApiError(h.http.get('Job', 'default', 'big'), 404, 'NotFound');
  });

  it('refuses requests without a valid token', async () => {
    const { HttpClient } = await import('@kjobs/client');
    const anon = new HttpClient({ server: h.server.url });
    const r = await anon.raw('GET', jobsPath);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text).reason).toBe('Unauthorized');
    await anon.close();
  });

  it('serves /version as 1.32, discovery and the minimal OpenAPI', async () => {
    expect(JSON.parse((await raw('GET', '/version')).text)).toMatchObject({ major: '1', minor: '32' });
    const agg = await raw('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.headers['content-type']).toContain('as=APIGroupDiscoveryList');
    const batch = JSON.parse((await raw('GET', '/apis/batch/v1')).text);
    expect(batch.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['jobs', 'jobs/status', 'cronjobs']));
    const oa = JSON.parse((await raw('GET', '/openapi/v3')).text);
    expect(Object.keys(oa.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/batch/v1', 'apis/apps/v1']));
  });

  it('returns Table responses with the Job columns', async () => {
    await h.http.create('Job', job('table-job'));
    const r = await raw('GET', `${jobsPath}/table-job`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    const t = JSON.parse(r.text);
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 5)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age']);
    expect(t.rows[0].cells[0]).toBe('table-job');
    expect(t.rows[0].object.metadata.namespace).toBe('default');
  });

  it('a watch with resourceVersion=0 starts with ADDED for current objects and flushes headers at once', async () => {
    await h.http.create('Pod', pod('rv0', { rv0: 'yes' }));
    const seen: WatchEvent[] = [];
    const w = h.http.watch('Pod', { namespace: 'default', labelSelector: 'rv0=yes', resourceVersion: '0' }, (e) => seen.push(e));
    await waitFor('ADDED', () => (seen.length ? true : undefined));
    w.stop();
    expect(seen[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'rv0' } } });
  });

  it('binding sets the node once; a second binding is 409', async () => {
    await h.http.create('Pod', pod('bind-me'));
    await h.http.createSubresource('Pod', 'default', 'bind-me', 'binding', { target: { kind: 'Node', name: 'n1' } });
    const p = await h.http.get<Pod>('Pod', 'default', 'bind-me');
    expect(p.spec.nodeName).toBe('n1');
    expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    await expectApiError(h.http.createSubresource('Pod', 'default', 'bind-me', 'binding', { target: { kind: 'Node', name: 'n2' } }), 409, 'Conflict');
  });

  it('a bound running pod is deleted gracefully; the final grace-0 delete removes it', async () => {
    await h.http.create('Pod', pod('graceful'));
    await h.http.createSubresource('Pod', 'default', 'graceful', 'binding', { target: { kind: 'Node', name: 'n1' } });
    const marked = (await h.http.delete('Pod', 'default', 'graceful')) as Pod;
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
    await h.http.delete('Pod', 'default', 'graceful', { gracePeriodSeconds: 0 });
    await expectApiError(h.http.get('Pod', 'default', 'graceful'), 404, 'NotFound');
  });
});
