/**
 * Every service observable (issue 20, item 2): the cluster writes endpoints.json with every
 * service's address, and each answers /healthz, /readyz and /metrics with the Kubernetes-named
 * metrics of its part: work queues, syncs and leader status of the scheduler and
 * job-controller, pod starts and image pulls of the kubelet-agents, the api-server's requests
 * by Kubernetes verb (memq: its own). A restarted service keeps its address.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKubeconfig } from '../../scripts/cluster.js';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E({ nodes: 1 });
}, 120_000);
afterAll(async () => {
  await e?.stop();
}, 60_000);

/** GET a URL (the api-server's with its CA and the admin token). */
function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const kc = readKubeconfig(e.home);
  const u = new URL(url);
  const opts = u.protocol === 'https:' ? { ca: kc.ca, headers: { Authorization: `Bearer ${kc.token}` } } : {};
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).get(u, { ...opts, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
  });
}

/** The value of the first sample of `series` (a name with its labels, as printed) in a Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('observability endpoints', () => {
  let endpoints: Record<string, string>;

  it('writes every service to endpoints.json: the api-server by its URL, the others by a loopback port', async () => {
    endpoints = await e.cluster.endpoints();
    expect(Object.keys(endpoints).sort()).toEqual(['api-server', 'job-controller', 'kubelet-agent-node-1', 'memq', 'scheduler']);
    expect(endpoints.memq).toBe(`http://127.0.0.1:${e.memqPort}`);
    expect(endpoints['api-server']).toBe(readKubeconfig(e.home).server);
    for (const name of ['scheduler', 'job-controller', 'kubelet-agent-node-1']) expect(endpoints[name]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(readFileSync(path.join(e.home, 'endpoints.json'), 'utf8'))).toEqual(endpoints);
  });

  it('serves /healthz and /readyz on every service, and /metrics in Prometheus text format', async () => {
    for (const [name, url] of Object.entries(endpoints)) {
      // memq's address is its configured one, listed before memq listens (`npm start` waits for it).
      await waitFor(`${name} healthy`, async () => (await get(`${url}/healthz`).catch(() => undefined))?.status === 200, 30_000);
      // The controllers take their Lease and list their caches after they start listening.
      const ready = await waitFor(`${name} ready`, async () => {
        const r = await get(`${url}/readyz?verbose`);
        return r.status === 200 && r;
      }, 60_000);
      // memq's readiness is its health (Redis reachable): a plain `ok`, no list of checks.
      expect(ready.body, name).toMatch(name === 'memq' ? /^ok$/ : /check passed\n$/);
      const m = await get(`${url}/metrics`);
      expect(m.status, `${name} /metrics`).toBe(200);
      expect(m.type, name).toMatch(/^text\/plain; version=0\.0\.4/);
    }
    expect((await get(`${endpoints.scheduler}/readyz?verbose`)).body).toBe('[+]nats ok\n[+]leader-election ok\n[+]informers-synced ok\nreadyz check passed\n');
  });

  it('names work queues, syncs, leader status, pod starts and API verbs as Kubernetes does', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'observed', namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 0'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 2 },
    };
    expect((await e.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(0);
    await waitFor('the pod Succeeded', async () => (await e.kubectl(['get', 'pod', 'observed', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded');

    const scheduler = (await get(`${endpoints.scheduler}/metrics`)).body;
    expect(sample(scheduler, 'leader_election_master_status{name="kube-scheduler"}')).toBe(1);
    expect(sample(scheduler, 'workqueue_adds_total{name="scheduler"}')).toBeGreaterThanOrEqual(1);
    expect(sample(scheduler, 'workqueue_depth{name="scheduler"}')).toBe(0);
    expect(sample(scheduler, 'workqueue_queue_duration_seconds_count{name="scheduler"}')).toBeGreaterThanOrEqual(1);
    expect(sample(scheduler, 'controller_runtime_reconcile_total{controller="scheduler",result="success"}')).toBeGreaterThanOrEqual(1);

    const controllers = (await get(`${endpoints['job-controller']}/metrics`)).body;
    expect(sample(controllers, 'leader_election_master_status{name="kube-controller-manager"}')).toBe(1);
    for (const q of ['job', 'cronjob', 'replicaset', 'ttl_jobs_to_delete', 'garbage_collector_attempt_to_delete', 'node_lifecycle']) {
      expect(sample(controllers, `workqueue_depth{name="${q}"}`), q).toBeDefined();
      expect(sample(controllers, `controller_runtime_reconcile_errors_total{controller="${q}"}`), q).toBeDefined();
    }
    expect(controllers).toMatch(/^workqueue_work_duration_seconds_bucket\{le="[^"]+",name="node_lifecycle"\} \d+$/m);

    const kubelet = await waitFor('the pod start observed', async () => {
      const text = (await get(`${endpoints['kubelet-agent-node-1']}/metrics`)).body;
      return (sample(text, 'kubelet_pod_start_duration_seconds_count{node="node-1"}') ?? 0) >= 1 && text;
    }, 30_000);
    expect(sample(kubelet, 'kubelet_started_pods_total{node="node-1"}')).toBeGreaterThanOrEqual(1);
    expect(sample(kubelet, 'kubelet_image_pulls_total{result="success",node="node-1"}')).toBeDefined();
    expect(sample(kubelet, 'workqueue_adds_total{name="kubelet_pod_sync",node="node-1"}')).toBeGreaterThanOrEqual(1);

    const api = (await get(`${endpoints['api-server']}/metrics`)).body;
    const verbs = new Set([...api.matchAll(/^apiserver_request_total\{verb="([^"]+)"/gm)].map((m) => m[1]));
    for (const v of ['get', 'list', 'watch', 'create', 'update']) expect(verbs, v).toContain(v);
    for (const v of verbs) expect(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'unknown'], v).toContain(v);
  });

  it('a restarted service comes back on the address endpoints.json names', async () => {
    await e.cluster.restart('scheduler');
    const r = await waitFor('the restarted scheduler ready', async () => {
      const res = await get(`${endpoints.scheduler}/readyz`).catch(() => undefined);
      return res?.status === 200 && res;
    }, 60_000);
    expect(r.body).toBe('ok\n');
    expect((await e.cluster.endpoints()).scheduler).toBe(endpoints.scheduler);
  });
});
