/**
 * The chapter's work-queue section as written: the kuard queue as a ReplicaSet and a Service,
 * `kubectl port-forward rs/queue 8080:8080`, the book's load-queue.sh, the stats JSON, five
 * consumers (parallelism 5, completions unset) generating 100 keys, and the clean-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Pod, ReplicaSet, Service } from '@kjobs/api';
import { isListening } from '../../scripts/infra.js';
import { EXAMPLES, run, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let forward: ChildProcess | undefined;
beforeAll(async () => {
  if (await isListening('127.0.0.1', 8080)) throw new Error('port 8080 is taken: the chapter forwards localhost:8080 to the queue (stop `npm start` or whatever listens there)');
  e = await startE2E({ without: ['memq'] });
}, 120_000);
afterAll(async () => {
  forward?.kill('SIGINT');
  await e?.stop();
});

const manifest = (f: string) => path.join(EXAMPLES, f);
async function kubectlOk(args: string[]): Promise<string> {
  const r = await e.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
async function stats(): Promise<{ kind: string; queues: { name: string; depth: number; enqueued: number; dequeued: number; drained: number }[] }> {
  const res = await fetch('http://127.0.0.1:8080/memq/server/stats');
  return (await res.json()) as never;
}

describe('the work queue section of the chapter', () => {
  it('runs as written', async () => {
    expect(await kubectlOk(['apply', '-f', manifest('rs-queue.yaml')])).toContain('replicaset.apps/queue created');
    const queuePod = await waitFor('queue pod Running', async () => {
      const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'app=work-queue,component=queue' })).items;
      return pods.find((p) => p.status?.phase === 'Running' && p.status.podIP);
    }, 60_000);
    expect(queuePod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'queue' });

    // kubectl port-forward rs/queue 8080:8080, as the book types it (real kubectl: SPDY tunnelled in a WebSocket).
    let out = '';
    forward = spawn('kubectl', ['--kubeconfig', e.kubeconfig, '--cache-dir', path.join(e.home, 'kube-cache'), 'port-forward', 'rs/queue', '8080:8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    forward.stdout!.on('data', (d) => (out += d));
    forward.stderr!.on('data', (d) => (out += d));
    await waitFor('Forwarding from 127.0.0.1:8080 -> 8080', () => out.includes('Forwarding from 127.0.0.1:8080 -> 8080'), 30_000);

    expect(await kubectlOk(['apply', '-f', manifest('service-queue.yaml')])).toContain('service/queue created');
    const svc = await e.api.get<Service>('Service', 'default', 'queue');
    expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    // The book's script, unchanged, against localhost:8080.
    const load = await run('bash', [manifest('load-queue.sh')], process.env, { timeoutMs: 120_000 });
    expect(load.code).toBe(0);
    const s1 = await stats();
    expect(s1).toEqual({ kind: 'stats', queues: [{ name: 'keygen', depth: 100, enqueued: 100, dequeued: 0, drained: 0 }] });

    expect(await kubectlOk(['apply', '-f', manifest('job-consumers.yaml')])).toContain('job.batch/consumers created');
    const job = await waitFor('consumers Complete', async () => {
      const j = await e.api.get<Job>('Job', 'default', 'consumers');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 180_000, 500);
    expect(job.spec.parallelism).toBe(5);
    expect(job.spec.completions ?? null).toBeNull();
    const consumers = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=consumers' })).items;
    expect(consumers.length).toBeGreaterThanOrEqual(5);
    for (const p of consumers) {
      expect(p.status?.phase).toBe('Succeeded');
      expect(p.status?.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(0);
    }
    const logs = await Promise.all(consumers.map((p) => e.api.logs('default', p.metadata.name!)));
    const keys = logs.join('').match(/Item done: SHA256:[A-Za-z0-9+/]{43}/g) ?? [];
    expect(keys).toHaveLength(100);
    const s2 = await stats();
    expect(s2.queues).toEqual([{ name: 'keygen', depth: 0, enqueued: 100, dequeued: 100, drained: 0 }]);

    // Clean-up, as the book does it.
    const del = await kubectlOk(['delete', 'rs,svc,job', '-l', 'chapter=jobs']);
    expect(del).toContain('replicaset.apps "queue" deleted');
    expect(del).toContain('service "queue" deleted');
    expect(del).toContain('job.batch "consumers" deleted');
    await waitFor('nothing left', async () => {
      const [pods, rs, jobs, svcs] = await Promise.all([
        e.api.list<Pod>('Pod', { namespace: 'default' }), e.api.list<ReplicaSet>('ReplicaSet', { namespace: 'default' }),
        e.api.list<Job>('Job', { namespace: 'default' }), e.api.list<Service>('Service', { namespace: 'default' }),
      ]);
      return pods.items.length + rs.items.length + jobs.items.length + svcs.items.length === 0;
    }, 60_000);
  }, 300_000);
});
