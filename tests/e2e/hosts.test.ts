/**
 * Nodes on other hosts (issue 21, items 4 and 5): two simulated hosts (network namespaces on a
 * private LAN, chaos/hosts.ts), each running a kubelet-agent that joined with a bootstrap token
 * from `kjobs token create --print-join-command`; pods reach each other across hosts through
 * host-gw routes; logs, exec and port-forward reach a pod on a joined node; a partitioned host
 * goes NotReady and comes back; a lost host's Job pods are replaced on the other host. Nothing
 * of the machine's network is touched, and nothing is left.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Node, Pod } from '@kjobs/api';
import { kubeletConfPath, networkNames, nsDialBinary } from '@kjobs/kubelet-agent/testing';
import { ensureServiceBundles, serviceBundle } from '../../scripts/bundle.mjs';
import { SimulatedHosts, type SimHost } from '../../chaos/hosts.js';
import { startE2E, waitFor, type E2E } from './harness.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;
const NATS_PORT = Number(new URL(process.env.NATS_URL ?? 'nats://127.0.0.1:4222').port || 4222);
const hostRoutes = () => execFileSync('ip', ['route', 'show', 'table', 'all'], { encoding: 'utf8' });
const hostLinks = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter(Boolean).sort();

let e: E2E;
let hosts: SimulatedHosts;
let a: SimHost;
let b: SimHost;
let joinEnv: Record<string, string> = {};
const agents = new Map<string, ChildProcess>();
let routesBefore = '';
let linksBefore: (string | undefined)[] = [];

const nodeDir = (name: string) => path.join(e.home, 'nodes', name);

/** An agent on a simulated host, with the join command's environment (and `over`). */
function startAgent(host: SimHost, over: Record<string, string> = {}): ChildProcess {
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, KJOBS_HOME: e.home, KJOBS_SUBJECT_PREFIX: e.cluster.specs[0]!.env.KJOBS_SUBJECT_PREFIX,
    NODE_NAME: host.name, KJOBS_AGENT_DIR: nodeDir(host.name), KJOBS_NODE_IP: host.address, KJOBS_NODE_NETNS: host.netns,
    KJOBS_RUNTIME: 'process', KJOBS_POD_NETWORK: 'on', KJOBS_HEARTBEAT_SECONDS: '1', KJOBS_SHUTDOWN_GRACE_SECONDS: '1', LOG_LEVEL: 'info',
    ...joinEnv, ...over,
  };
  return hosts.spawnIn(host, process.execPath, [serviceBundle('kubelet-agent')], env);
}

const exitOf = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('exit', (c) => r(c))));
const stderrOf = (p: ChildProcess) => {
  let s = '';
  p.stderr!.on('data', (d: Buffer) => (s += d.toString()));
  return () => s;
};
const readyOf = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const node = (name: string) => e.api.get<Node>('Node', '', name).catch(() => undefined);

beforeAll(async () => {
  routesBefore = hostRoutes();
  linksBefore = hostLinks();
  await ensureServiceBundles({ names: ['kubelet-agent'] });
  e = await startE2E({
    nodes: 0, without: ['memq'],
    env: { KJOBS_HEARTBEAT_SECONDS: '1', KJOBS_NODE_GRACE_SECONDS: '3', KJOBS_POD_EVICTION_SECONDS: '1', KJOBS_NATS_ADVERTISE_URL: `nats://192.168.77.1:${NATS_PORT}` },
  });
  hosts = await SimulatedHosts.create({ nsDial: (await nsDialBinary(silent))!, relayPorts: [NATS_PORT], keepLogs: !!process.env.KJOBS_E2E_KEEP });
  a = await hosts.addHost('a');
  b = await hosts.addHost('b');
}, 180_000);

afterAll(async () => {
  // The agents shut their nodes down (pods, bridges, routes); what a lost host left goes with the namespaces.
  for (const p of agents.values()) p.kill('SIGTERM');
  await Promise.race([Promise.all([...agents.values()].map(exitOf)), new Promise((r) => setTimeout(r, 20_000))]);
  const podNs = ['a', 'b'].map((n) => networkNames(nodeDir(n)).podNsPrefix);
  await hosts?.destroy(readdirSync('/run/netns').filter((n) => podNs.some((p) => n.startsWith(p))));
  await e?.stop();
  expect(readdirSync('/run/netns').filter((n) => n.startsWith(`kjh-${hosts.id}`) || podNs.some((p) => n.startsWith(p)))).toEqual([]);
  expect(hostLinks()).toEqual(linksBefore);
  expect(hostRoutes()).toBe(routesBefore);
}, 120_000);

describe('nodes on other hosts', () => {
  it('prints a join command; a bad token or a wrong CA pin is refused with nothing written; the right ones join', async () => {
    const r = await e.kjobs(['token', 'create', '--print-join-command', '--description', 'e2e']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NATS_URL=nats:\/\/192\.168\.77\.1:\d+ KJOBS_JOIN_TOKEN=[a-z0-9]{6}\.[a-z0-9]{16} KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH=sha256:[0-9a-f]{64} NODE_NAME=<node name> node services\/kubelet-agent\/dist\/main\.mjs\n$/);
    joinEnv = Object.fromEntries(r.stdout.trim().split(' ').filter((w) => /^[A-Z_]+=/.test(w) && !w.startsWith('NODE_NAME')).map((w) => w.split('=', 2) as [string, string]));
    const list = await e.kjobs(['token', 'list']);
    expect(list.stdout).toContain(`${joinEnv.KJOBS_JOIN_TOKEN!.split('.')[0]}.<secret>`);

    const [id] = joinEnv.KJOBS_JOIN_TOKEN!.split('.');
    const expiring = 'expire.0123456789abcdef';
    expect((await e.kjobs(['token', 'create', expiring, '--ttl', '1s'])).stdout).toBe(`${expiring}\n`);
    const expiresAt = Date.now() + 1000;
    await waitFor('the short token past its expiration', () => Date.now() > expiresAt + 100, 5_000, 100);
    for (const [over, words] of [
      [{ KJOBS_JOIN_TOKEN: expiring }, 'bootstrap token "expire" expired at'],
      [{ KJOBS_JOIN_TOKEN: `${id}.0000000000000000` }, `bootstrap token "${id}" has a wrong secret`],
      [{ KJOBS_JOIN_TOKEN: 'zzzzzz.0000000000000000' }, 'bootstrap token "zzzzzz" not found'],
      [{ KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH: `sha256:${'0'.repeat(64)}` }, 'refusing to join'],
    ] as [Record<string, string>, string][]) {
      const p = startAgent(a, over);
      const err = stderrOf(p);
      expect(await exitOf(p)).toBe(1);
      expect(err()).toContain(words);
      expect(existsSync(kubeletConfPath(nodeDir('a')))).toBe(false);
      expect(await node('a')).toBeUndefined();
    }

    for (const h of [a, b]) agents.set(h.name, startAgent(h));
    for (const h of [a, b]) {
      const n = await waitFor(`node ${h.name} Ready with a pod CIDR`, async () => {
        const x = await node(h.name);
        return readyOf(x) === 'True' && x?.spec?.podCIDR ? x : undefined;
      }, 90_000);
      expect(n.status?.addresses).toContainEqual({ type: 'InternalIP', address: h.address });
      expect(statSync(kubeletConfPath(nodeDir(h.name))).mode & 0o777).toBe(0o600);
    }
    // Revoking: the token's Secret goes.
    expect((await e.kjobs(['token', 'delete', expiring])).stdout).toBe('bootstrap token "expire" deleted\n');
    expect((await e.kjobs(['token', 'list'])).stdout).not.toContain('expire.');
    // A joined name cannot be taken over with a bootstrap token.
    const again = startAgent(a, { KJOBS_AGENT_DIR: path.join(e.home, 'nodes', 'a-again') });
    const err = stderrOf(again);
    expect(await exitOf(again)).toBe(1);
    expect(err()).toContain('node "a" already has a credential');
  }, 240_000);

  const web = (name: string, nodeName: string): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      nodeName, terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'web', image: 'host-node',
        command: [process.execPath, '-e', `require('http').createServer((q, r) => r.end('hello from ${name}')).listen(8080, '0.0.0.0', () => console.log('serving ${name}'))`],
        readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
      }],
    },
  } as Pod);
  const podIP = (name: string) => waitFor(`${name} ready`, async () => {
    const p = await e.api.get<Pod>('Pod', 'default', name);
    return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && p.status.podIP;
  }, 60_000);
  const curlFrom = (pod: string, ip: string) => e.kubectl(['exec', pod, '--', 'curl', '-s', '-m', '3', `http://${ip}:8080/`]);

  it('pods reach each other across hosts by pod IP; logs, exec and port-forward reach a pod on a joined node', async () => {
    await e.api.create('Pod', web('web-a', 'a'));
    await e.api.create('Pod', web('web-b', 'b'));
    const [ipA, ipB] = [await podIP('web-a'), await podIP('web-b')];
    const [na, nb] = [await node('a'), await node('b')];
    expect(ipA.startsWith(na!.spec!.podCIDR!.split('.').slice(0, 3).join('.'))).toBe(true);
    expect(ipB.startsWith(nb!.spec!.podCIDR!.split('.').slice(0, 3).join('.'))).toBe(true);
    expect((await curlFrom('web-a', ipB)).stdout).toBe('hello from web-b');
    expect((await curlFrom('web-b', ipA)).stdout).toBe('hello from web-a');
    // The host-gw route is in host a's namespace, to host b's address.
    expect(execFileSync('ip', ['-n', a.netns, 'route'], { encoding: 'utf8' })).toContain(`${nb!.spec!.podCIDR} via ${b.address}`);

    expect((await e.kubectl(['logs', 'web-b'])).stdout).toBe('serving web-b\n');
    expect((await e.kubectl(['exec', 'web-b', '--', 'sh', '-c', 'echo exec on $(cat /proc/sys/kernel/hostname) ok'])).stdout).toMatch(/exec on .* ok/);
    const pf = spawn('kubectl', [`--kubeconfig=${e.kubeconfig}`, 'port-forward', 'pod/web-b', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const port = await waitFor('port-forward', () => /127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], 30_000);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from web-b');
    } finally {
      pf.kill('SIGINT');
    }
  }, 180_000);

  it('a partitioned host goes NotReady and comes back when the link does', async () => {
    await hosts.partition(b, true);
    try {
      await waitFor('node b NotReady', async () => readyOf(await node('b')) === 'Unknown', 60_000);
    } finally {
      await hosts.partition(b, false);
    }
    await waitFor('node b Ready again', async () => readyOf(await node('b')) === 'True', 90_000);
  }, 180_000);

  it('a lost host goes NotReady and its Job pods are replaced on the other host', async () => {
    for (const p of ['web-a', 'web-b']) await e.api.delete('Pod', 'default', p).catch(() => undefined);
    await e.api.create('Job', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'sleepers', namespace: 'default' },
      spec: {
        parallelism: 2, completions: 2, backoffLimit: 10,
        template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 's', image: 'host-node', command: ['sleep', '600'] }] } },
      },
    } as Job);
    const running = () => e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=sleepers' }).then((l) => l.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp));
    const first = await waitFor('two running sleepers', async () => ((await running()).length === 2 ? await running() : undefined), 60_000);
    const victim = first.some((p) => p.spec.nodeName === 'a') ? a : b;
    const survivor = victim === a ? b : a;
    agents.delete(victim.name);
    expect((await hosts.lose(victim, networkNames(nodeDir(victim.name)).podNsPrefix)).length).toBeGreaterThan(0);
    await waitFor(`node ${victim.name} NotReady`, async () => readyOf(await node(victim.name)) === 'Unknown', 60_000);
    await waitFor(`both sleepers on ${survivor.name}`, async () => {
      const r = await running();
      return r.length === 2 && r.every((p) => p.spec.nodeName === survivor.name);
    }, 120_000);
  }, 240_000);
});
