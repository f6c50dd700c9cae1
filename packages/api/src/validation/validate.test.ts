import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults/apply-defaults.js';
import { invalid as invalidError } from '../errors.js';
import { mustResourceForKind } from '../resources.js';
import type { KObject } from '../types.js';
import { validate, validateStatusUpdate } from './validate.js';
import { clone, prepareJob, validCronJob, validJob, validPod, type Json } from '../testing/fixtures.js';

const KINDS = ['Pod', 'Job', 'CronJob', 'Service', 'ReplicaSet', 'Namespace', 'Node', 'Event', 'Lease'];
const asK = (o: Json) => o as KObject;

/** The chapter's manifests (Kubernetes: Up and Running, ch. 12), as kubectl would send them. */
const CHAPTER: [string, Json][] = [
  ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'parallel', namespace: 'default', labels: { chapter: 'jobs' } }, spec: { parallelism: 5, completions: 10, template: { metadata: { labels: { chapter: 'jobs' } }, spec: { containers: [{ name: 'kuard', image: 'gcr.io/kuar-demo/kuard-amd64:blue', imagePullPolicy: 'Always', command: ['/kuard'], args: ['--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen=10'] }], restartPolicy: 'OnFailure' } } } }],
  ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'consumers', namespace: 'default', labels: { app: 'message-queue', component: 'consumer', chapter: 'jobs' } }, spec: { parallelism: 5, template: { metadata: { labels: { app: 'message-queue', component: 'consumer', chapter: 'jobs' } }, spec: { containers: [{ name: 'worker', image: 'gcr.io/kuar-demo/kuard-amd64:blue', imagePullPolicy: 'Always', command: ['/kuard'], args: ['--keygen-enable', '--keygen-exit-on-complete', '--keygen-memq-server=http://queue:8080/memq/server', '--keygen-memq-queue=keygen'] }], restartPolicy: 'OnFailure' } } } }],
  ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'queue', namespace: 'default', labels: { app: 'work-queue', component: 'queue', chapter: 'jobs' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'work-queue', component: 'queue', chapter: 'jobs' } }, template: { metadata: { labels: { app: 'work-queue', component: 'queue', chapter: 'jobs' } }, spec: { containers: [{ name: 'queue', image: 'gcr.io/kuar-demo/kuard-amd64:blue', imagePullPolicy: 'Always' }] } } } }],
  ['Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'queue', namespace: 'default', labels: { app: 'work-queue', component: 'queue', chapter: 'jobs' } }, spec: { ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'work-queue', component: 'queue' } } }],
  ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'oneshot', namespace: 'default', labels: { run: 'oneshot' } }, spec: { containers: [{ name: 'oneshot', image: 'busybox', command: ['sh', '-c', 'echo hello; sleep 2'], resources: {}, stdin: true, stdinOnce: true }], restartPolicy: 'OnFailure', dnsPolicy: 'ClusterFirst' } }],
];

describe('validate: dispatch by kind', () => {
  it.each(CHAPTER)('the chapter %s manifest is valid after defaulting', (kind, manifest) => {
    const obj = kind === 'Job' ? prepareJob(manifest) : (applyDefaults(kind, asK(manifest)) as Json);
    expect(validate(kind, asK(obj))).toEqual([]);
  });

  it('the chapter CronJob is valid', () => {
    expect(validate('CronJob', asK(validCronJob()))).toEqual([]);
  });

  it('an update is validated with the old object', () => {
    const old = validJob();
    const job = clone(old);
    job.spec.completions = 3;
    expect(validate('Job', asK(job), asK(old))).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.completions', message: 'Invalid value: 3: field is immutable' }]);
  });

  it('reports a cause once even when Kubernetes checks it twice', () => {
    const old = validJob();
    const job = clone(old);
    job.metadata.labels = { 'bad key!': 'x' };
    const causes = validate('Job', asK(job), asK(old));
    expect(causes.filter((c) => c.field === 'metadata.labels')).toHaveLength(1);
  });

  it('kinds without their own rules get metadata validation', () => {
    expect(validate('Widget', asK({ metadata: { name: 'Bad_Name', namespace: 'default' } }))[0]?.field).toBe('metadata.name');
  });

  it('status writes: Job invariants, Pod transitions, metadata for the rest', () => {
    const old = validJob((m) => { m.metadata.resourceVersion = '1'; });
    old.status = { startTime: '2026-01-01T00:00:00Z', failed: 2 };
    const job = clone(old);
    job.status.failed = 1;
    expect(validateStatusUpdate('Job', asK(job), asK(old))[0]?.message).toBe('Invalid value: 1: cannot decrease the failed counter');
    const pod = validPod((m) => { m.metadata.uid = 'u'; });
    const moved = clone(pod);
    moved.spec.nodeName = 'n2';
    expect(validateStatusUpdate('Pod', asK(moved), asK(pod))[0]?.field).toBe('status.nodeName');
    const ns = { metadata: { name: 'a', uid: 'u1' } };
    expect(validateStatusUpdate('Namespace', asK({ metadata: { name: 'b', uid: 'u1' } }), asK(ns))[0]?.message).toBe('Invalid value: "b": field is immutable');
  });

  it('builds the Status kubectl prints for several causes', () => {
    const job = validJob((m) => { m.metadata.name = 'Bad'; m.spec.parallelism = -1; });
    const err = invalidError(mustResourceForKind('Job'), 'Bad', validate('Job', asK(job)));
    expect(err.toStatus().details?.causes?.map((c) => c.field)).toEqual(['metadata.name', 'spec.parallelism']);
    expect(err.message).toMatch(/^Job\.batch "Bad" is invalid: \[metadata\.name: Invalid value: "Bad": .*, spec\.parallelism: Invalid value: -1: must be greater than or equal to 0\]$/);
  });
});

describe('validate never throws, whatever JSON it gets', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  it('on arbitrary objects of every kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), json, json, (kind, a, b) => {
        const causes = validate(kind, { metadata: {}, ...(a as object) } as KObject, b && typeof b === 'object' ? (b as KObject) : undefined);
        return Array.isArray(causes) && causes.every((c) => typeof c.message === 'string' && typeof c.field === 'string');
      }),
      { numRuns: 400 },
    );
  });

  it('on valid objects with one field replaced by junk', () => {
    const bases: [string, Json][] = [['Job', validJob()], ['Pod', validPod()], ['CronJob', validCronJob()]];
    const paths = (o: unknown, prefix: string[] = []): string[][] =>
      o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]) : [];
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.nat(), json, ([kind, base], n, junk) => {
        const all = paths(base);
        const path = all[n % all.length]!;
        const obj = clone(base);
        let cur: Json = obj;
        for (const k of path.slice(0, -1)) cur = cur[k];
        cur[path[path.length - 1]!] = junk;
        validate(kind, asK(obj));
        validate(kind, asK(obj), asK(base));
        validateStatusUpdate(kind, asK(obj), asK(base));
        return true;
      }),
      { numRuns: 600 },
    );
  });
});
