/**
 * Kubernetes' edges of the API, through the real kubectl 1.32 and plain HTTP against every service
 * running as a process: status subresources that keep metadata and never change spec, an eviction
 * that marks the pod DisruptionTarget (and a podFailurePolicy that ignores it), the request
 * decoding answers (415, 400 for out-of-range integers, malformed bodies and resourceVersion=abc),
 * server-side dry run, and field validation (Strict from kubectl, Warn headers, Ignore).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CronJob, type Job, type Node, type Pod } from '@kjobs/api';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kjobs-api-edges-'));
  e = await startE2E({ without: ['memq'] });
  await waitFor('two Ready nodes', async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, 60_000);
}, 120_000);
afterAll(async () => {
  await e?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const PODS = '/api/v1/namespaces/default/pods';

function jobManifest(name: string, extraSpec = '', script = 'sleep 300'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${extraSpec}  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", "${script}"]
`;
}

function file(name: string, text: string): string {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return p;
}

async function kubectlOk(args: string[]): Promise<string> {
  const r = await e.kubectl(args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}


const jobBody = (name: string, spec: string): string =>
  `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"${name}"},"spec":{${spec}"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"busybox","command":["true"]}]}}}}`;

describe('status subresources keep metadata and never change spec', () => {
  it('kubectl patch --subresource=status on a Job: the annotation stays, the spec does not move', async () => {
    await kubectlOk(['apply', '-f', file('st-job.yaml', jobManifest('st-job', '  suspend: true\n  parallelism: 1\n'))]);
    const before = await e.api.get<Job>('Job', 'default', 'st-job');
    const patch = JSON.stringify({ metadata: { annotations: { 'kjobs.test/note': 'set through status' }, labels: { via: 'status' } }, spec: { parallelism: 7 } });
    await kubectlOk(['patch', 'job', 'st-job', '--subresource=status', '--type=merge', '-p', patch]);
    const after = await e.api.get<Job>('Job', 'default', 'st-job');
    expect(after.metadata.annotations?.['kjobs.test/note']).toBe('set through status');
    expect(after.metadata.labels?.via).toBe('status');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    // …and the main resource ignores status: a PATCH of status on jobs/NAME changes nothing there.
    await e.api.patch('Job', 'default', 'st-job', 'merge', { status: { failed: 3 } });
    expect((await e.api.get<Job>('Job', 'default', 'st-job')).status?.failed).toBeUndefined();
  });

  it('a CronJob: status and metadata through /status, the schedule untouched', async () => {
    await kubectlOk(['create', 'cronjob', 'st-cj', '--image=busybox', '--schedule=0 0 1 1 *', '--', 'true']);
    const when = '2026-01-01T00:00:00Z';
    const patch = JSON.stringify({ metadata: { annotations: { 'kjobs.test/note': 'kept' } }, spec: { schedule: '* * * * *' }, status: { lastScheduleTime: when } });
    await kubectlOk(['patch', 'cronjob', 'st-cj', '--subresource=status', '--type=merge', '-p', patch]);
    const cj = await e.api.get<CronJob>('CronJob', 'default', 'st-cj');
    expect(cj.metadata.annotations?.['kjobs.test/note']).toBe('kept');
    expect(cj.spec.schedule).toBe('0 0 1 1 *');
    expect(cj.status?.lastScheduleTime).toBe(when);
  });
});

describe('eviction', () => {
  it('marks the pod DisruptionTarget, and a DisruptionTarget → Ignore rule does not count it', async () => {
    const spec = '  backoffLimit: 0\n  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onPodConditions:\n      - type: DisruptionTarget\n';
    await kubectlOk(['apply', '-f', file('evicted.yaml', jobManifest('evicted', spec))]);
    const first = await waitFor('a running pod', async () => {
      const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=evicted' })).items;
      return pods.find((p) => p.status?.phase === 'Running');
    }, 60_000);
    const name = first.metadata.name!;
    const r = await e.api.raw('POST', `${PODS}/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
    expect(r.status, r.text).toBe(201);
    // Deleted gracefully (and held by the Job's tracking finalizer): still readable, and marked.
    const marked = await e.api.get<Pod>('Pod', 'default', name);
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(marked.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
    });
    // backoffLimit 0: had the eviction counted, the Job would fail. It is replaced instead.
    const replacement = await waitFor('a replacement pod', async () => {
      const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=evicted' })).items;
      return pods.find((p) => p.metadata.name !== name && !p.metadata.deletionTimestamp);
    }, 60_000);
    expect(replacement).toBeDefined();
    await waitFor('the evicted pod gone', () => e.isGone('Pod', name), 60_000);
    const job = await e.api.get<Job>('Job', 'default', 'evicted');
    expect(job.status?.failed ?? 0).toBe(0);
    expect(job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ?? false).toBe(false);
    await kubectlOk(['delete', 'job', 'evicted', '--wait=false']);
  }, 150_000);
});

describe('request decoding answers as kube-apiserver, and stores nothing', () => {
  it.each([
    ['POST text/plain', 'POST', JOBS, jobBody('e415', ''), 'text/plain', 415, 'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf'],
    ['parallelism beyond int32 and 2^53', 'POST', JOBS, jobBody('e-par', '"parallelism":9007199254740993,'), 'application/json', 400, 'BadRequest',
      'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal number 9007199254740993 into Go struct field JobSpec.spec.parallelism of type int32'],
    ['completions 2^31', 'POST', JOBS, jobBody('e-comp', '"completions":2147483648,'), 'application/json', 400, 'BadRequest',
      'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal number 2147483648 into Go struct field JobSpec.spec.completions of type int32'],
    ['backoffLimit in YAML', 'POST', JOBS, jobManifest('e-bl', '  backoffLimit: 4294967296\n'), 'application/yaml', 400, 'BadRequest',
      'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal number 4294967296 into Go struct field JobSpec.spec.backoffLimit of type int32'],
    ['activeDeadlineSeconds beyond int64', 'POST', JOBS, jobBody('e-ads', '"activeDeadlineSeconds":9223372036854775808,'), 'application/json', 400, 'BadRequest',
      'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal number 9223372036854775808 into Go struct field JobSpec.spec.activeDeadlineSeconds of type int64'],
    ['a containerPort beyond int32', 'POST', PODS, '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"e-port"},"spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":4294967297}]}]}}', 'application/json', 400, 'BadRequest',
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 4294967297 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    ['malformed JSON', 'POST', JOBS, '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"e-bad"}', 'application/json', 400, 'BadRequest',
      'the object provided is unrecognized (must be of type Job): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"batch/v1","kind ...)'],
  ])('%s', async (_name, method, url, body, contentType, code, reason, message) => {
    const r = await e.api.raw(method, url, body, { 'content-type': contentType });
    expect(r.status, r.text).toBe(code);
    expect(JSON.parse(r.text)).toMatchObject({ kind: 'Status', status: 'Failure', reason, code, message });
    const name = /"name":"([^"]+)"|name: (\S+)/.exec(body)!.slice(1).find(Boolean)!;
    expect(await e.isGone(url === PODS ? 'Pod' : 'Job', name)).toBe(true);
  });

  it('a PATCH of a type it does not take is 415 listing the patch types; the object is unchanged', async () => {
    await e.api.create('Job', { ...JSON.parse(jobBody('e-patch', '"suspend":true,')), metadata: { name: 'e-patch', namespace: 'default' } });
    const before = await e.api.get<Job>('Job', 'default', 'e-patch');
    const r = await e.api.raw('PATCH', `${JOBS}/e-patch`, '{"spec":{"parallelism":3}}', { 'content-type': 'application/json' });
    expect(r.status).toBe(415);
    expect(JSON.parse(r.text)).toMatchObject({ reason: 'UnsupportedMediaType', message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json' });
    const bad = await e.api.raw('PATCH', `${JOBS}/e-patch`, '{"spec":{"parallelism":2147483648}}', { 'content-type': 'application/merge-patch+json' });
    expect(bad.status).toBe(400);
    const after = await e.api.get<Job>('Job', 'default', 'e-patch');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);
  });

  it.each([
    ['get', `${JOBS}/e-patch?resourceVersion=abc`],
    ['list', `${JOBS}?resourceVersion=abc`],
    ['watch', `${JOBS}?watch=true&resourceVersion=abc`],
  ])('resourceVersion=abc on %s is 400', async (_verb, url) => {
    const r = await e.api.raw('GET', url);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ reason: 'BadRequest', message: 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax' });
  });

  it('kubectl get --raw with a bad resourceVersion prints the BadRequest', async () => {
    const r = await e.kubectl(['get', '--raw', `${JOBS}?resourceVersion=abc`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (BadRequest)');
  });
});

describe('server-side dry run', () => {
  it('kubectl create --dry-run=server answers the Job and stores and starts nothing', async () => {
    const out = await kubectlOk(['create', '-f', file('dry.yaml', jobManifest('dry', '', 'exit 0')), '--dry-run=server', '-o', 'json']);
    const job = JSON.parse(out) as Job;
    expect(job.metadata.uid).toMatch(/[0-9a-f-]{36}/);
    expect(job.metadata.creationTimestamp).toBeTruthy();
    expect(job.spec.backoffLimit).toBe(6);
    expect(job.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    const plain = await kubectlOk(['create', '-f', path.join(scratch, 'dry.yaml'), '--dry-run=server']);
    expect(plain.trim()).toBe('job.batch/dry created (server dry run)');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await e.isGone('Job', 'dry')).toBe(true);
    expect((await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=dry' })).items).toEqual([]);
  });

  it('a pod, a delete and a patch in dry run change nothing', async () => {
    const pod = await kubectlOk(['run', 'dry-pod', '--image=busybox', '--restart=Never', '--dry-run=server', '--', 'true']);
    expect(pod.trim()).toBe('pod/dry-pod created (server dry run)');
    expect(await e.isGone('Pod', 'dry-pod')).toBe(true);
    await kubectlOk(['label', 'job', 'e-patch', 'dry=yes', '--dry-run=server']);
    expect((await e.api.get<Job>('Job', 'default', 'e-patch')).metadata.labels?.dry).toBeUndefined();
    expect((await kubectlOk(['delete', 'job', 'e-patch', '--dry-run=server'])).trim()).toBe('job.batch "e-patch" deleted (server dry run)');
    expect(await e.isGone('Job', 'e-patch')).toBe(false);
  });

  it('an unknown dryRun value is refused as kube-apiserver refuses it (422 on CreateOptions)', async () => {
    const r = await e.api.raw('POST', `${JOBS}?dryRun=true`, jobBody('dry-bad', ''));
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text).message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"');
    expect(await e.isGone('Job', 'dry-bad')).toBe(true);
  });
});

describe('field validation', () => {
  const bogus = (name: string): string => jobManifest(name, '  bogusField: 1\n', 'exit 0');

  it('kubectl apply (Strict) refuses an unknown field with Kubernetes\' message and stores nothing', async () => {
    const p = file('bogus.yaml', bogus('bogus'));
    const r = await e.kubectl(['apply', '-f', p]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`Error from server (BadRequest): error when creating "${p}": Job in version "v1" cannot be handled as a Job: strict decoding error: unknown field "spec.bogusField"`);
    expect(await e.isGone('Job', 'bogus')).toBe(true);
    const c = await e.kubectl(['create', '-f', p]);
    expect(c.stderr).toContain('strict decoding error: unknown field "spec.bogusField"');
    expect(await e.isGone('Job', 'bogus')).toBe(true);
  });

  it('kubectl apply of an existing Job with an unknown field is refused too (the patch path)', async () => {
    await kubectlOk(['apply', '-f', file('fv.yaml', jobManifest('fv', '  suspend: true\n'))]);
    const r = await e.kubectl(['apply', '-f', file('fv2.yaml', jobManifest('fv', '  suspend: true\n  bogusField: 1\n'))]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('strict decoding error: unknown field "spec.bogusField"');
  });

  it('Warn (the default for other clients) answers a Warning header and stores the object without the field', async () => {
    const body = JSON.stringify({ ...JSON.parse(jobBody('warned', '"suspend":true,')), extra: 1, spec: { ...JSON.parse(jobBody('warned', '"suspend":true,')).spec, bogusField: true } });
    const r = await e.api.raw('POST', JOBS, body);
    expect(r.status, r.text).toBe(201);
    // In the order of the document: `spec` came before `extra`.
    expect(r.headers.warning).toBe('299 - "unknown field \\"spec.bogusField\\"", 299 - "unknown field \\"extra\\""');
    const stored = await e.api.get<Job>('Job', 'default', 'warned');
    expect(stored.spec).not.toHaveProperty('bogusField');
    expect(stored).not.toHaveProperty('extra');
    const dup = await e.api.raw('POST', `${JOBS}?fieldValidation=Strict`, jobBody('dup', '"suspend":true,"suspend":false,'));
    expect(dup.status).toBe(400);
    expect(JSON.parse(dup.text).message).toBe('Job in version "v1" cannot be handled as a Job: strict decoding error: duplicate field "spec.suspend"');
  });

  it('Ignore drops the field silently', async () => {
    const body = JSON.parse(jobBody('ignored', '"suspend":true,'));
    body.spec.bogusField = true;
    const r = await e.api.raw('POST', `${JOBS}?fieldValidation=Ignore`, body);
    expect(r.status).toBe(201);
    expect(r.headers.warning).toBeUndefined();
    expect((await e.api.get<Job>('Job', 'default', 'ignored')).spec).not.toHaveProperty('bogusField');
  });
});
