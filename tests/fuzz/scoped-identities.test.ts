/**
 * Scoped identities through the real front ends (issue 8, part 1): an in-process api-server with
 * a token per identity, driven over raw HTTP, the NATS API and the attach WebSocket upgrade. A
 * node that was taken over tries what it must not — write another node's pods and Node, read
 * logs, attach — and the scheduler and controller manager try to step outside their roles. The
 * pure rule table is services/api-server/src/authz.test.ts; this proves it is wired in everywhere.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzApi, type FuzzApi } from './api-fixture.js';
import { send, type RawResponse } from './raw-http.js';

let api: FuzzApi;
let agent: http.Agent;
const enc = new TextEncoder();
const dec = new TextDecoder();

type Who = 'admin' | 'node' | 'node2' | 'scheduler' | 'controller';

function call(who: Who, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
  return send(api.port, agent, {
    kind: 'authz', method, path,
    headers: { authorization: `Bearer ${api.tokens[who]}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const json = (r: RawResponse) => JSON.parse(r.body.toString('utf8')) as { message?: string; reason?: string; code?: number };

async function nats(who: Who, req: Record<string, unknown>): Promise<{ ok: boolean; status?: { code: number; message: string; reason: string } }> {
  const m = await api.nc.request(`${api.prefix}.api`, enc.encode(JSON.stringify({ ...req, token: api.tokens[who] })), { timeout: 10_000 });
  return JSON.parse(dec.decode(m.data));
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
const PODS = '/api/v1/namespaces/default/pods';

beforeAll(async () => {
  api = await startFuzzApi();
  agent = new http.Agent({ keepAlive: true });
  for (const [name, node] of [['on-node-1', 'node-1'], ['on-node-2', 'node-2']] as const) {
    expect((await call('controller', 'POST', PODS, pod(name))).status).toBe(201);
    expect((await call('scheduler', 'POST', `${PODS}/${name}/binding`, { target: { kind: 'Node', name: node } })).status).toBe(201);
  }
  expect((await call('controller', 'POST', PODS, pod('unbound'))).status).toBe(201);
}, 60_000);

afterAll(async () => {
  agent?.destroy();
  await api?.stop();
});

describe('a node writes only its own pods and its own Node', () => {
  it('patches the status of a pod bound to it, not of one bound elsewhere or unbound (HTTP)', async () => {
    const patch = { status: { phase: 'Running' } };
    expect((await call('node', 'PATCH', `${PODS}/on-node-1/status`, patch, 'application/merge-patch+json')).status).toBe(200);
    const other = await call('node', 'PATCH', `${PODS}/on-node-2/status`, patch, 'application/merge-patch+json');
    expect(other.status).toBe(403);
    expect(json(other)).toMatchObject({
      kind: 'Status', reason: 'Forbidden', code: 403,
      message: 'pods "on-node-2" is forbidden: User "system:node:node-1" cannot patch resource "pods/status" in API group "" in the namespace "default"',
    });
    expect((await call('node', 'PATCH', `${PODS}/unbound/status`, patch, 'application/merge-patch+json')).status).toBe(403);
    // The rejected patches changed nothing.
    const stored = JSON.parse((await call('admin', 'GET', `${PODS}/on-node-2`)).body.toString()) as { status: { phase: string } };
    expect(stored.status.phase).toBe('Pending');
  });

  it('same rules over the NATS API', async () => {
    const cur = JSON.parse((await call('admin', 'GET', `${PODS}/on-node-2`)).body.toString()) as Record<string, unknown>;
    const denied = await nats('node', { verb: 'update', group: '', resource: 'pods', namespace: 'default', name: 'on-node-2', subresource: 'status', body: { ...cur, status: { phase: 'Failed' } } });
    expect(denied).toMatchObject({ ok: false, status: { code: 403, reason: 'Forbidden' } });
    expect(denied.status!.message).toContain('cannot update resource "pods/status"');
    const own = JSON.parse((await call('admin', 'GET', `${PODS}/on-node-1`)).body.toString()) as Record<string, unknown>;
    expect(await nats('node', { verb: 'update', group: '', resource: 'pods', namespace: 'default', name: 'on-node-1', subresource: 'status', body: own })).toMatchObject({ ok: true });
    expect(await nats('node', { verb: 'create', group: '', resource: 'pods', namespace: 'default', body: pod('made-by-node') })).toMatchObject({ ok: false, status: { code: 403 } });
  });

  it('deletes a pod bound to it, not one bound elsewhere; a missing pod is a 404, not a leak of rights', async () => {
    expect((await call('node2', 'DELETE', `${PODS}/on-node-1`)).status).toBe(403);
    expect((await call('node', 'DELETE', `${PODS}/missing`)).status).toBe(404);
    expect((await call('admin', 'GET', `${PODS}/on-node-1`)).status).toBe(200);
  });

  it('registers and updates only its own Node', async () => {
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { capacity: { cpu: '1', memory: '1Gi', pods: '10' } } });
    expect((await call('node', 'POST', '/api/v1/nodes', node('node-1'))).status).toBe(201);
    const other = await call('node', 'POST', '/api/v1/nodes', node('node-2'));
    expect(other.status).toBe(403);
    expect(json(other).message).toBe('nodes "node-2" is forbidden: User "system:node:node-1" cannot create resource "nodes" in API group "" at the cluster scope');
    expect((await call('node2', 'POST', '/api/v1/nodes', node('node-2'))).status).toBe(201);
    expect((await call('node', 'PATCH', '/api/v1/nodes/node-2/status', { status: { conditions: [] } }, 'application/merge-patch+json')).status).toBe(403);
    expect((await call('node', 'PATCH', '/api/v1/nodes/node-1', { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json')).status).toBe(200);
  });

  it('holds only its own Lease in kube-node-lease', async () => {
    const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name } });
    const path = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    expect((await call('node', 'POST', path, lease('node-1'))).status).toBe(201);
    expect((await call('node', 'POST', path, lease('node-2'))).status).toBe(403);
    expect((await call('node', 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', lease('kube-scheduler'))).status).toBe(403);
  });

  it('reads no logs, attaches to nothing, execs nothing, forwards no ports', async () => {
    expect(json(await call('node', 'GET', `${PODS}/on-node-1/log`))).toMatchObject({ code: 403, reason: 'Forbidden' });
    const upgrade = await send(api.port, agent, {
      kind: 'attach', method: 'GET', path: `${PODS}/on-node-1/attach?container=c&stdout=true`,
      headers: { authorization: `Bearer ${api.tokens.node}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io' },
    });
    expect(upgrade.status).toBe(403);
    expect(json(upgrade)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    // Nor execs in, nor forwards ports to, a pod (kubectl's SPDY forms of both).
    for (const [kind, sub] of [['exec', 'exec?command=true&stdout=true'], ['portforward', 'portforward']] as const) {
      const r = await send(api.port, agent, {
        kind, method: 'POST', path: `${PODS}/on-node-1/${sub}`,
        headers: { authorization: `Bearer ${api.tokens.node}`, connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': kind === 'exec' ? 'v4.channel.k8s.io' : 'portforward.k8s.io' },
      });
      expect(r.status).toBe(403);
      expect(json(r)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, message: `pods "on-node-1" is forbidden: User "system:node:node-1" cannot create resource "pods/${kind}" in API group "" in the namespace "default"` });
    }
  });
});

describe('the scheduler and the controller manager stay in their roles', () => {
  it('the scheduler binds but creates no pods, touches no Jobs, and cannot read /metrics', async () => {
    expect((await call('scheduler', 'POST', PODS, pod('made-by-scheduler'))).status).toBe(403);
    expect((await call('scheduler', 'GET', '/apis/batch/v1/namespaces/default/jobs')).status).toBe(403);
    expect((await call('scheduler', 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    expect(json(await call('scheduler', 'GET', '/metrics'))).toMatchObject({ code: 403, message: 'forbidden: User "system:kube-scheduler" cannot get path "/metrics"' });
    expect((await call('admin', 'GET', '/metrics')).status).toBe(200);
    expect((await call('scheduler', 'GET', '/apis')).status).toBe(200);
  });

  it('the controller manager runs Jobs but cannot delete namespaces or write services', async () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    expect((await call('controller', 'POST', '/apis/batch/v1/namespaces/default/jobs', job)).status).toBe(201);
    expect((await call('controller', 'DELETE', '/api/v1/namespaces/kube-public')).status).toBe(403);
    expect((await call('controller', 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } })).status).toBe(403);
    expect((await call('admin', 'GET', '/api/v1/namespaces/kube-public')).status).toBe(200);
  });
});
