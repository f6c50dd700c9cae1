import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '@kjobs/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger.js';
import { podNetworkUnavailable } from './availability.js';
import { NodeNetwork } from './node-network.js';
import { nsDialBinary } from './ns-dial.js';
import { untilNoThrow } from '../testing/retry.js';

const why = podNetworkUnavailable();
const pod = (uid: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [] } });

/** curl inside a pod's namespace, through the node's egress proxy (`-p`: CONNECT). */
function curlIn(netns: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', path.basename(netns), 'curl', '-sS', '--max-time', '20', ...args], { env: { PATH: process.env.PATH } }, (e, out, err) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }));
  });
}

/** The processes whose command line mentions `s` (the proxy's listeners). */
function processesMentioning(s: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(s) && !cmd.includes('vitest')) out.push(`${pid} ${cmd}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}


// Every destination in these tests is the host's loopback or a pod address inside the
// namespaces made here: nothing leaves the machine.
describe.skipIf(why !== undefined)('pod egress through the node proxy (real namespaces)', () => {
  let dir: string;
  let open: NodeNetwork; // egress with the node's loopback allowed
  let closed: NodeNetwork; // egress with the default: loopback refused
  let host: http.Server;
  let hostPort = 0;
  const hostHits: string[] = [];
  let podA: { podIP: string; netnsPath: string };
  let podB: { podIP: string; netnsPath: string };
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-egress-'));
    const nsDial = (await nsDialBinary(silentLogger))!;
    const common = { clusterCIDR: '10.244.0.0/16', nsDial, logger: silentLogger };
    open = await NodeNetwork.create({ rootDir: path.join(dir, 'nodes', 'node-1'), podCIDR: '10.244.0.0/24', egress: { allowLoopback: true }, ...common });
    closed = await NodeNetwork.create({ rootDir: path.join(dir, 'nodes', 'node-2'), podCIDR: '10.244.1.0/24', egress: { allowLoopback: false }, ...common });
    host = http.createServer((req, res) => {
      hostHits.push(req.url ?? '');
      res.end(`from the host ${req.url}`);
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
    hostPort = (host.address() as AddressInfo).port;
    podA = await open.setUp(pod('egress-a'));
    podB = await closed.setUp(pod('egress-b'));
    server = spawn('ip', ['netns', 'exec', path.basename(podB.netnsPath), process.execPath, '-e', `require('http').createServer((q, s) => s.end('pod-b ' + q.url)).listen(8080, '0.0.0.0')`], { stdio: 'ignore' });
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    host?.close();
    try {
      await open?.shutdown();
      await closed?.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The in-namespace listeners went with the proxies.
    expect(processesMentioning(path.join(dir, 'nodes'))).toEqual([]);
  });

  it('gives pods the proxy variables naming their gateway', () => {
    expect(open.podEnv()).toMatchObject({ HTTP_PROXY: 'http://10.244.0.1:3128', https_proxy: 'http://10.244.0.1:3128', NO_PROXY: 'localhost,127.0.0.1,10.244.0.0/16' });
  });

  it('takes a pod\'s plain HTTP and CONNECT requests out through the host\'s network', async () => {
    const plain = await untilNoThrow(async () => {
      const r = await curlIn(podA.netnsPath, ['-x', 'http://10.244.0.1:3128', `http://127.0.0.1:${hostPort}/plain`]);
      if (r.code !== 0) throw new Error(r.err);
      return r.out;
    });
    expect(plain).toBe('from the host /plain');
    const tunnel = await curlIn(podA.netnsPath, ['-p', '-x', 'http://10.244.0.1:3128', `http://127.0.0.1:${hostPort}/tunnel`]);
    expect(tunnel).toMatchObject({ code: 0, out: 'from the host /tunnel' });
  });

  it('reaches pod addresses inside the pod network, never from the host', async () => {
    const r = await untilNoThrow(async () => {
      const got = await curlIn(podA.netnsPath, ['-f', '-x', 'http://10.244.0.1:3128', `http://${podB.podIP}:8080/peer`]);
      if (got.code !== 0) throw new Error(got.err);
      return got.out;
    });
    expect(r).toBe('pod-b /peer');
    const viaTunnel = await curlIn(podA.netnsPath, ['-p', '-x', 'http://10.244.0.1:3128', `http://${podB.podIP}:8080/tunnel`]);
    expect(viaTunnel.out).toBe('pod-b /tunnel');
  });

  it('refuses the node\'s loopback by default, and link-local addresses always, sending nothing', async () => {
    const before = hostHits.length;
    const plain = await curlIn(podB.netnsPath, ['-i', '-x', 'http://10.244.1.1:3128', `http://127.0.0.1:${hostPort}/secret`]);
    expect(plain.out).toContain('403 Forbidden');
    expect(plain.out).toContain(`kjobs egress proxy: 127.0.0.1 is the node's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow opens it)`);
    const tunnel = await curlIn(podB.netnsPath, ['-p', '-x', 'http://10.244.1.1:3128', `http://127.0.0.1:${hostPort}/secret`]);
    expect(tunnel.code).not.toBe(0);
    expect(tunnel.err).toContain('403');
    const metadata = await curlIn(podA.netnsPath, ['-p', '-x', 'http://10.244.0.1:3128', 'http://169.254.169.254/latest/meta-data']);
    expect(metadata.err).toContain('403');
    expect(hostHits.length).toBe(before);
  });
});
