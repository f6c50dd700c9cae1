import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '@kjobs/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger.js';
import { resolveProbe, runProbe } from '../runtime/probes.js';
import { ip, listNetns } from './ip.js';
import { NodeNetwork } from './node-network.js';
import { nsDialBinary } from './ns-dial.js';
import { podNetworkUnavailable } from './availability.js';
import { untilNoThrow } from '../testing/retry.js';

const why = podNetworkUnavailable();
const pod = (uid: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [] } });

/** A TCP server on 0.0.0.0:8080 inside a pod's namespace, answering its name. */
function serveIn(ns: string, name: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `require('net').createServer((s) => s.end(${JSON.stringify(name)})).listen(8080, '0.0.0.0')`], { stdio: 'ignore' });
}

function fetchVia(net: NodeNetwork, ip: string, port = 8080): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.dial(ip, port, 2000);
    let got = '';
    s.on('data', (b: Buffer) => (got += b.toString()));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.end();
  });
}


describe.skipIf(why !== undefined)('NodeNetwork: real namespaces and CNI plugins', () => {
  let dir: string;
  let n1: NodeNetwork;
  let n2: NodeNetwork;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-net-'));
    const nsDial = (await nsDialBinary(silentLogger))!;
    const common = { clusterCIDR: '10.244.0.0/16', nsDial, logger: silentLogger };
    n1 = await NodeNetwork.create({ rootDir: path.join(dir, 'nodes', 'node-1'), podCIDR: '10.244.0.0/24', ...common });
    n2 = await NodeNetwork.create({ rootDir: path.join(dir, 'nodes', 'node-2'), podCIDR: '10.244.1.0/24', ...common });
  });

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    try {
      await n1?.shutdown();
      await n2?.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const names = await listNetns();
    for (const n of [n1, n2]) {
      if (!n) continue;
      expect(names.filter((x) => x.includes(n.names.nodeKey) || x === n.names.fabricNs)).toEqual([]);
      expect(existsSync(n.ipamDir)).toBe(false);
    }
    // Nothing of the test on the host's links either.
    const hostLinks = (await ip('-o', 'link', 'show')).split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]);
    expect(hostLinks.filter((l) => l === n1?.names.fabricLink || l === n2?.names.fabricLink || l === 'cni0' || l === 'fab0')).toEqual([]);
  });

  it('gives pods addresses from the node CIDR; two pods listen on 0.0.0.0:8080 side by side; pods of two nodes reach each other', async () => {
    const a = await n1.setUp(pod('pod-a'));
    const b = await n1.setUp(pod('pod-b'));
    const c = await n2.setUp(pod('pod-c'));
    expect(a.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(b.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(c.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(a.podIP).not.toBe(b.podIP);
    expect(a.netnsPath).toBe(n1.netnsPathOf('pod-a'));
    servers.push(serveIn(path.basename(a.netnsPath), 'a'), serveIn(path.basename(b.netnsPath), 'b'), serveIn(path.basename(c.netnsPath), 'c'));
    expect(await untilNoThrow(() => fetchVia(n1, a.podIP))).toBe('a');
    expect(await untilNoThrow(() => fetchVia(n1, b.podIP))).toBe('b');
    // node-1's network reaches node-2's pod through the fabric, and node-2's reaches node-1's.
    expect(await untilNoThrow(() => fetchVia(n1, c.podIP))).toBe('c');
    expect(await untilNoThrow(() => fetchVia(n2, a.podIP))).toBe('a');
    await n1.check('pod-a');
    // A refused connection is an error with its code.
    await expect(fetchVia(n1, a.podIP, 9)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('probes pods through the network\'s dialer (httpGet and tcpSocket), never from the agent\'s own network', async () => {
    const a = await n1.setUp(pod('pod-http'));
    servers.push(spawn('ip', ['netns', 'exec', path.basename(a.netnsPath), process.execPath, '-e', `require('http').createServer((q, r) => r.end(q.url === '/healthy' ? 'ok' : '')).listen(8080)`], { stdio: 'ignore' }));
    const target = { podIP: a.podIP, env: {}, cwd: '/', ports: [], dial: (h: string, p: number, t?: number) => n1.dial(h, p, t) };
    const signal = new AbortController().signal;
    await untilNoThrow(async () => {
      const r = await runProbe(resolveProbe({ tcpSocket: { port: 8080 } }), target, signal);
      if (!r.ok) throw new Error(r.output);
    });
    expect(await runProbe(resolveProbe({ httpGet: { path: '/healthy', port: 8080 } }), target, signal)).toEqual({ ok: true, output: '' });
    // The pod IP is not reachable from the agent's own network: without the dialer this would fail (or leave the machine).
    expect((await runProbe(resolveProbe({ tcpSocket: { port: 9 } }), target, signal)).output).toMatch(/refused/);
    await n1.tearDown('pod-http');
  });

  it('tearDown releases the address and removes the namespace; reconcile removes what is not kept', async () => {
    await n1.tearDown('pod-b');
    expect(await listNetns()).not.toContain(path.basename(n1.netnsPathOf('pod-b')));
    const again = await n1.setUp(pod('pod-d'));
    expect(again.podIP).toMatch(/^10\.244\.0\.\d+$/);
    await n1.reconcile(new Set(['pod-a']));
    const left = (await listNetns()).filter((x) => x.startsWith(n1.names.podNsPrefix));
    expect(left).toEqual([path.basename(n1.netnsPathOf('pod-a'))]);
  });
});
