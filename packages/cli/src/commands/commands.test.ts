import { describe, expect, it } from 'vitest';
import type { CronJob, Pod, Service } from '@kjobs/api';
import { jobFromCronJob, jobFromImage } from './create.js';
import { propagationPolicy } from './delete.js';
import { containerPortFor, parsePortPair } from './port-forward.js';
import { buildRunJob, parseLabels } from './run.js';
import { hasCondition, parseWaitFor } from './wait.js';

describe('wait --for', () => {
  it.each([
    ['condition=complete', { kind: 'condition', type: 'complete', status: 'True' }],
    ['condition=Failed=False', { kind: 'condition', type: 'Failed', status: 'False' }],
    ['delete', { kind: 'delete' }],
  ])('%s', (text, want) => {
    expect(parseWaitFor(text)).toEqual(want);
  });
  it.each([[undefined], ['jsonpath={.status}'], ['condition=']])('rejects %s', (text) => {
    expect(() => parseWaitFor(text)).toThrow();
  });
  const job = { metadata: {}, status: { conditions: [{ type: 'Complete', status: 'True' }, { type: 'Suspended', status: 'False' }] } };
  it.each([
    ['condition=complete', true], ['condition=Complete=true', true], ['condition=failed', false], ['condition=suspended', false], ['condition=suspended=false', true],
  ])('%s on a complete Job → %s', (f, want) => {
    expect(hasCondition(job, parseWaitFor(f) as Extract<ReturnType<typeof parseWaitFor>, { kind: 'condition' }>)).toBe(want);
  });
});

describe('delete --cascade', () => {
  it.each([
    [undefined, 'Background'], [true, 'Background'], ['background', 'Background'], ['true', 'Background'], ['foreground', 'Foreground'],
    ['orphan', 'Orphan'], ['false', 'Orphan'], ['Orphan', 'Orphan'],
  ])('%s → %s', (v, want) => {
    expect(propagationPolicy(v)).toBe(want);
  });
  it('rejects other values', () => {
    expect(() => propagationPolicy('sometimes')).toThrow('invalid cascade value (sometimes). Must be "background", "foreground", or "orphan".');
  });
});

describe('port-forward ports', () => {
  it.each([
    ['8080:8080', { local: 8080, remote: 8080 }], ['8080', { local: 8080, remote: 8080 }], [':80', { local: 0, remote: 80 }], ['9000:http', { local: 9000, remote: 'http' }],
  ])('%s', (arg, want) => {
    expect(parsePortPair(arg)).toEqual(want);
  });
  it.each([['x:80'], ['70000:80'], ['80:0'], ['80:']])('rejects %s', (arg) => {
    expect(() => parsePortPair(arg)).toThrow();
  });
  const pod: Pod = { metadata: { name: 'queue-1' }, spec: { containers: [{ name: 'queue', ports: [{ name: 'http', containerPort: 8080 }] }] } };
  const svc: Service = { metadata: { name: 'queue' }, spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 8080, targetPort: 8080 }, { name: 'admin', port: 81, targetPort: 9090 }] } };
  it.each([
    [8080, undefined, 8080], ['http', undefined, 8080], [80, svc, 8080], [8080, svc, 8080], ['admin', svc, 9090],
  ])('remote %s (service: %s) → container port %s', (remote, s, want) => {
    expect(containerPortFor(remote, pod, s)).toBe(want);
  });
  it('unknown ports are errors', () => {
    expect(() => containerPortFor('metrics', pod)).toThrow("Pod 'queue-1' does not have a named port 'metrics'");
    expect(() => containerPortFor(99, pod, svc)).toThrow('Service queue does not have a service port 99');
  });
});

describe('run builds the book\'s Job', () => {
  it('kubectl run -i oneshot --restart=OnFailure --command /kuard -- flags', () => {
    expect(buildRunJob('oneshot', {
      image: 'gcr.io/kuar-demo/kuard-amd64:blue', restart: 'OnFailure', command: true,
      args: ['/kuard', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10'],
    })).toEqual({
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: 'oneshot', labels: { run: 'oneshot' } },
      spec: { template: {
        metadata: { labels: { run: 'oneshot' } },
        spec: {
          containers: [{ name: 'oneshot', image: 'gcr.io/kuar-demo/kuard-amd64:blue', command: ['/kuard', '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen', '10'], resources: {} }],
          restartPolicy: 'OnFailure',
        },
      } },
    });
  });
  it.each([
    { name: 'without --command the words are args', o: { args: ['--flag'] }, want: { args: ['--flag'] } },
    { name: 'no words: neither', o: { args: [] }, want: {} },
    { name: '--env', o: { args: [], env: ['A=1', 'B=x=y'] }, want: { env: [{ name: 'A', value: '1' }, { name: 'B', value: 'x=y' }] } },
  ])('$name', ({ o, want }) => {
    const job = buildRunJob('x', { image: 'i', restart: 'Never', ...o });
    const { name: _n, image: _i, resources: _r, ...rest } = job.spec.template.spec.containers[0]!;
    expect(rest).toEqual(want);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });
  it('--labels replace run=NAME', () => {
    expect(buildRunJob('x', { image: 'i', restart: 'Never', args: [], labels: parseLabels('app=a,tier=t') }).metadata.labels).toEqual({ app: 'a', tier: 't' });
    expect(() => parseLabels('nolabel')).toThrow('invalid label spec: nolabel');
    expect(() => buildRunJob('x', { image: 'i', restart: 'Never', args: [], env: ['=1'] })).toThrow(/invalid env/);
  });
});

describe('create job', () => {
  const cj: CronJob = {
    metadata: { name: 'example-cron', uid: 'cj-uid', namespace: 'default' },
    spec: {
      schedule: '0 */5 * * *',
      jobTemplate: {
        metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
        spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'batch-job', image: 'my-batch-image' }], restartPolicy: 'OnFailure' } } },
      },
    },
  };
  it('--from=cronjob copies the template as kubectl does', () => {
    expect(jobFromCronJob('manual-1', cj)).toEqual({
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name: 'manual-1', annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', note: 'x' }, labels: { team: 'a' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'example-cron', uid: 'cj-uid', controller: true }],
      },
      spec: cj.spec.jobTemplate.spec,
    });
  });
  it('the copy is independent of the CronJob', () => {
    const j = jobFromCronJob('m', cj);
    j.spec.backoffLimit = 9;
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBe(2);
  });
  it('--image builds a Never-restarting one-container Job', () => {
    expect(jobFromImage('hello', 'busybox', ['echo', 'hi']).spec.template.spec).toEqual({ containers: [{ name: 'hello', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' });
  });
});
