/**
 * The official JavaScript client, @kubernetes/client-node 1.4 (the line that runs on Node 20),
 * against every service running as a process: the kubeconfig the api-server wrote (HTTPS with
 * its generated CA, bearer token), typed Batch/Core clients, a Watch, pod logs.
 */
import { PassThrough } from 'node:stream';
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, Log, Watch, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let kc: KubeConfig;
let batch: BatchV1Api;
let core: CoreV1Api;
beforeAll(async () => {
  e = await startE2E({ without: ['memq'] });
  kc = new KubeConfig();
  kc.loadFromFile(e.kubeconfig);
  batch = kc.makeApiClient(BatchV1Api);
  core = kc.makeApiClient(CoreV1Api);
}, 120_000);
afterAll(async () => {
  await e?.stop();
});

function job(name: string, script: string): V1Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, labels: { suite: 'client-node' } },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }], restartPolicy: 'Never' } } },
  };
}

/** Settle with `p`, or fail after `ms` (the watch never delivering is the failure we look for). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

async function isGone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return true;
    throw err;
  }
}

describe('@kubernetes/client-node 1.4', () => {
  it('creates a Job, lists it, watches its pod to Succeeded, reads the log, deletes the Job', async () => {
    const name = 'cn-hello';
    // Watch first, without a resourceVersion (what client-node sends): the pod's whole life arrives.
    const events: { type: string; pod: V1Pod }[] = [];
    let onSucceeded!: (p: V1Pod) => void;
    const succeeded = new Promise<V1Pod>((r) => (onSucceeded = r));
    let watchErr: unknown = 'still open';
    const ac = await new Watch(kc).watch('/api/v1/namespaces/default/pods', { labelSelector: `job-name=${name}` }, (type, pod: V1Pod) => {
      events.push({ type, pod });
      if (pod.status?.phase === 'Succeeded') onSucceeded(pod);
    }, (err) => (watchErr = err));

    const created = await batch.createNamespacedJob({ namespace: 'default', body: job(name, 'echo hello from client-node; echo line two') });
    const uid = created.metadata?.uid;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.spec?.selector?.matchLabels).toEqual({ 'batch.kubernetes.io/controller-uid': uid });
    expect(created.spec?.template.metadata?.labels).toMatchObject({ 'job-name': name, 'batch.kubernetes.io/job-name': name });
    expect(created.spec?.backoffLimit).toBe(6);

    // A second create is a typed 409 with the Status body.
    const dup = await batch.createNamespacedJob({ namespace: 'default', body: job(name, 'true') }).then(() => undefined, (err: unknown) => err);
    expect(dup).toBeInstanceOf(ApiException);
    expect((dup as ApiException<string>).code).toBe(409);
    expect(JSON.parse((dup as ApiException<string>).body)).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: `jobs.batch "${name}" already exists` });

    const list = await batch.listNamespacedJob({ namespace: 'default', labelSelector: 'suite=client-node' });
    expect(list.items.map((j) => j.metadata?.name)).toEqual([name]);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);

    const pod = await within(succeeded, 90_000, 'the pod to succeed through the watch');
    ac.abort();
    expect(events[0]?.type).toBe('ADDED');
    expect(events.every((ev) => ev.pod.metadata?.name === pod.metadata?.name)).toBe(true);
    expect(events.some((ev) => ev.type === 'MODIFIED' && ev.pod.spec?.nodeName)).toBe(true);
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    await waitFor('the watch to end after abort', () => watchErr !== 'still open', 10_000);

    const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: 'default', container: 'c' });
    expect(log).toBe('hello from client-node\nline two\n');

    const done = await waitFor('Job Complete', async () => {
      const j = await batch.readNamespacedJob({ name, namespace: 'default' });
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 60_000);
    expect(done.status?.succeeded).toBe(1);

    await batch.deleteNamespacedJob({ name, namespace: 'default', propagationPolicy: 'Background' });
    await waitFor('Job gone', () => isGone(() => batch.readNamespacedJob({ name, namespace: 'default' })), 30_000);
    await waitFor('its pod gone', async () => (await core.listNamespacedPod({ namespace: 'default', labelSelector: `job-name=${name}` })).items.length === 0, 60_000);
  }, 180_000);

  it('Log follows a running pod to its end', async () => {
    const name = 'cn-follow';
    await batch.createNamespacedJob({ namespace: 'default', body: job(name, 'for i in 1 2 3; do echo tick $i; sleep 0.5; done') });
    const pod = await waitFor('pod running', async () => {
      const [p] = (await core.listNamespacedPod({ namespace: 'default', labelSelector: `job-name=${name}` })).items;
      return p?.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    }, 60_000, 100);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const ended = new Promise<void>((r) => out.on('end', () => r()));
    await new Log(kc).log('default', pod.metadata!.name!, 'c', out, { follow: true });
    await within(ended, 60_000, 'the followed log to end with the container');
    expect(text).toBe('tick 1\ntick 2\ntick 3\n');
    await batch.deleteNamespacedJob({ name, namespace: 'default', propagationPolicy: 'Background' });
    await waitFor('its pod gone', async () => (await core.listNamespacedPod({ namespace: 'default', labelSelector: `job-name=${name}` })).items.length === 0, 60_000);
  }, 120_000);

  it('reads a missing Job as a typed 404', async () => {
    const err = await batch.readNamespacedJob({ name: 'nope', namespace: 'default' }).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(404);
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({ reason: 'NotFound', message: 'jobs.batch "nope" not found', details: { name: 'nope', group: 'batch', kind: 'jobs' } });
  });
});
