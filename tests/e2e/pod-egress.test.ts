/**
 * Opt-in pod egress end to end (issue 16): `KJOBS_POD_EGRESS=proxy` gives every pod on the pod
 * network HTTP_PROXY/HTTPS_PROXY naming its node's proxy, which takes the traffic out through the
 * host's own network without changing anything of the host. The only destination outside the pod
 * network used here is a server on the host's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow); the
 * refused one (cloud metadata) is never dialled.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let host: http.Server;
let port = 0;

beforeAll(async () => {
  host = http.createServer((req, res) => res.end(`from the host ${req.url}`));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
  port = (host.address() as AddressInfo).port;
  e = await startE2E({ without: ['memq'], env: { KJOBS_RUNTIME: 'process', KJOBS_POD_NETWORK: 'on', KJOBS_POD_EGRESS: 'proxy', KJOBS_POD_EGRESS_LOOPBACK: 'allow' } });
}, 180_000);

afterAll(async () => {
  await e?.stop();
  host?.close();
}, 120_000);

const pod = (name: string, script: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }] },
});

async function logsOnceDone(name: string): Promise<string> {
  await waitFor(`${name} finished`, async () => {
    const p = await e.getJson('pod', name);
    const phase = (p as { status?: { phase?: string } } | undefined)?.status?.phase;
    return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
  }, 120_000);
  return (await e.kubectl(['logs', name])).stdout;
}

it('a pod on the pod network reaches the outside through its node\'s proxy, named in its env', async () => {
  // 127.0.0.1 is the pod's own loopback: the proxy is named explicitly to reach the host's.
  await e.apply(pod('egress-out', `echo "proxy=$HTTP_PROXY"; curl -sS --noproxy '' -x "$HTTP_PROXY" http://127.0.0.1:${port}/from-pod`));
  const logs = await logsOnceDone('egress-out');
  expect(logs).toMatch(/^proxy=http:\/\/10\.244\.\d+\.1:3128$/m);
  expect(logs).toContain('from the host /from-pod');
}, 180_000);

it('the proxy the env names refuses link-local addresses with a reason, dialling nothing', async () => {
  await e.apply(pod('egress-refused', 'curl -sS -i http://169.254.169.254/latest/meta-data'));
  const logs = await logsOnceDone('egress-refused');
  expect(logs).toContain('403 Forbidden');
  expect(logs).toContain('kjobs egress proxy: 169.254.169.254 is link-local');
}, 180_000);
