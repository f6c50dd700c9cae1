/**
 * `kubectl port-forward` and `kubectl exec` with the real kubectl 1.32 against every service
 * running as a process: port-forward to a pod, a ReplicaSet (two ports) and a Service through the
 * WebSocket-tunnelled SPDY kubectl tries first and through plain SPDY (its fallback), a port
 * nothing listens on, and exec with exit codes, stdin, the container's environment and errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import type { Node, Pod } from '@kjobs/api';
import { freePort } from '../../scripts/infra.js';
import { ROOT } from '../../scripts/cluster.js';
import { run, startE2E, waitFor, type E2E } from './harness.js';

const KUARD = 'gcr.io/kuar-demo/kuard-amd64:blue';
const LABELS = { app: 'work-queue', component: 'queue', chapter: 'jobs' };
const ECHO_SERVER = `
import os, socket, threading
def serve(c):
    while True:
        b = c.recv(65536)
        if not b:
            break
        c.sendall(b)
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((os.environ["POD_IP"], 7000))
s.listen()
print("listening", flush=True)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
`;

const MANIFESTS = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kuard' }, spec: { containers: [{ name: 'kuard', image: KUARD, env: [{ name: 'GREETING', value: 'hello from kuard' }] }] } },
  {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'queue', labels: LABELS },
    spec: { replicas: 1, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: { containers: [{ name: 'queue', image: KUARD }] } } },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'queue', labels: LABELS }, spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: LABELS } },
  // A TCP echo server on :7000 (a host program under the process runtime): bytes both ways, half-close.
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo' }, spec: { containers: [{ name: 'echo', image: 'python:3', command: ['python3', '-c', ECHO_SERVER] }] } },
];

let e: E2E;
let scratch: string;
const live: ChildProcess[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kjobs-pf-exec-'));
  // The process runtime: pod IPs on loopback, exec as host processes (the OCI runtime's exec is its own).
  e = await startE2E({ without: ['memq'], env: { KJOBS_RUNTIME: 'process' } });
  await waitFor('two Ready nodes', async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, 60_000);
  const file = path.join(scratch, 'manifests.yaml');
  writeFileSync(file, MANIFESTS.map((m) => stringifyYaml(m)).join('---\n'));
  const r = await e.kubectl(['apply', '-f', file]);
  expect(r.code, r.stderr).toBe(0);
  await waitFor('kuard, the queue pod and echo running', async () => {
    const pods = (await e.api.list<Pod>('Pod', { namespace: 'default' })).items;
    return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready));
  }, 60_000);
}, 180_000);

afterAll(async () => {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await e?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A kubectl left running (port-forward), its output collected. */
function kubectlLive(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cache = path.join(e.home, 'kube-cache');
  const proc = spawn('kubectl', [`--cache-dir=${cache}`, ...args], {
    cwd: ROOT, env: { ...process.env, KUBECONFIG: e.kubeconfig, KUBECACHEDIR: cache, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, exited };
}

/** Start `kubectl port-forward`, wait for its "Forwarding from 127.0.0.1:<port> -> <remote>" lines; returns the local ports. */
async function portForward(args: string[], env: NodeJS.ProcessEnv = {}) {
  const k = kubectlLive(['port-forward', ...args], env);
  const ports = await waitFor(`kubectl port-forward ${args.join(' ')} listening`, () => {
    if (k.proc.exitCode !== null) throw new Error(`kubectl exited ${k.proc.exitCode}: ${k.err()}`);
    const found = [...k.out().matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)].map((m) => Number(m[1]));
    return found.length >= args.length - 1 ? found : undefined;
  }, 30_000);
  return { ...k, ports };
}

async function stop(k: { proc: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  k.proc.kill('SIGINT');
  await k.exited;
}

describe('kubectl port-forward', () => {
  it('pod/NAME :8080 (a random local port) over the WebSocket tunnel: HTTP through it, several requests', async () => {
    const k = await portForward(['pod/kuard', ':8080']);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${k.ports[0]}/healthy`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('ok');
      }
      expect(k.out()).toContain('Handling connection for');
    } finally {
      await stop(k);
    }
  });

  it('rs/queue LOCAL:8080 with two ports, as the chapter types it, then curl …/memq/server/stats', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const k = await portForward(['rs/queue', `${a}:8080`, `${b}:8080`]);
    try {
      expect(k.ports).toEqual([a, b]);
      for (const port of [a, b]) {
        const res = await fetch(`http://127.0.0.1:${port}/memq/server/stats`);
        expect(res.status).toBe(200);
        expect(await res.json()).toHaveProperty('queues');
      }
      // curl, as the book does it.
      const curl = await new Promise<string>((resolve) => {
        const c = spawn('curl', ['-s', `localhost:${a}/memq/server/stats`]);
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', () => resolve(out));
      });
      expect(JSON.parse(curl)).toHaveProperty('queues');
    } finally {
      await stop(k);
    }
  });

  it('svc/NAME maps the service port to the pods\' targetPort', async () => {
    const k = await portForward(['svc/queue', ':80']);
    try {
      expect(k.out()).toContain('-> 8080');
      expect((await fetch(`http://127.0.0.1:${k.ports[0]}/ready`)).status).toBe(200);
    } finally {
      await stop(k);
    }
  });

  it('falls back to a plain SPDY/3.1 upgrade (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)', async () => {
    const k = await portForward(['pod/kuard', ':8080'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    try {
      const bodies = await Promise.all([1, 2, 3].map(async () => (await fetch(`http://127.0.0.1:${k.ports[0]}/healthy`)).text()));
      expect(bodies).toEqual(['ok', 'ok', 'ok']);
    } finally {
      await stop(k);
    }
  });

  it('carries megabytes both ways and passes the half-close on (WebSocket tunnel and plain SPDY)', async () => {
    for (const env of [{}, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }]) {
      const k = await portForward(['pod/echo', ':7000'], env);
      try {
        const sent = randomBytes(6 * 1024 * 1024);
        const got = await new Promise<Buffer>((resolve, reject) => {
          const sock = net.connect(k.ports[0]!, '127.0.0.1');
          const parts: Buffer[] = [];
          sock.on('data', (b) => parts.push(b));
          sock.on('end', () => resolve(Buffer.concat(parts)));
          sock.on('error', reject);
          sock.end(sent);
        });
        expect(got.length).toBe(sent.length);
        expect(got.equals(sent)).toBe(true);
      } finally {
        await stop(k);
      }
    }
  });

  it('a port nothing listens on: kubectl prints the kubelet\'s error and exits, it does not hang', async () => {
    const k = await portForward(['pod/kuard', ':9']);
    await fetch(`http://127.0.0.1:${k.ports[0]}/`).catch(() => undefined);
    const code = await Promise.race([k.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    expect(code).not.toBe('hung');
    expect(code).not.toBe(0);
    expect(k.err()).toMatch(/an error occurred forwarding \d+ -> 9: error forwarding port 9 to pod kuard, uid [0-9a-f-]+: failed to connect to 127\.[0-9.]+:9: .*connection refused/);
    expect(k.err()).toContain('lost connection to pod');
  });
});

describe('kubectl exec', () => {
  it('exits with the command\'s exit code', async () => {
    const r = await e.kubectl(['exec', 'kuard', '--', 'sh', '-c', 'exit 7']);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toContain('command terminated with exit code 7');
    expect((await e.kubectl(['exec', 'kuard', '--', 'true'])).code).toBe(0);
  });

  it('-i passes stdin through to the end (cat echoes it)', async () => {
    const input = 'line one\nline two\n'.repeat(200);
    const r = await e.kubectl(['exec', '-i', 'kuard', '--', 'cat'], { input });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it('runs in the container\'s environment and directory, stdout and stderr apart', async () => {
    const r = await e.kubectl(['exec', 'kuard', '-c', 'kuard', '--', 'sh', '-c', 'echo "$GREETING"; echo "$POD_IP" >&2; pwd']);
    expect(r.code, r.stderr).toBe(0);
    const pod = await e.api.get<Pod>('Pod', 'default', 'kuard');
    const [greeting, cwd] = r.stdout.trim().split('\n');
    expect(greeting).toBe('hello from kuard');
    expect(cwd).toContain(pod.metadata.uid!);
    expect(r.stderr.trim()).toBe(pod.status!.podIP);
  });

  it('-it without a terminal runs the command anyway, as kubectl does', async () => {
    const r = await e.kubectl(['exec', '-it', 'kuard', '--', 'sh', '-c', 'echo hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('hi');
  });

  it('-it on a terminal: the command gets a terminal too', async () => {
    // kubectl on a pty of its own (util-linux script), as a user at a shell would run it.
    const cmd = `kubectl --kubeconfig ${e.kubeconfig} --cache-dir ${path.join(e.home, 'kube-cache')} exec -it kuard -- sh -c 'tty; exit 3'`;
    const r = await run('script', ['-q', '-e', '-c', cmd, '/dev/null'], process.env, { timeoutMs: 30_000 });
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(r.code).toBe(3);
  });

  it('refuses an unknown container and a program that is not there, with kube-apiserver\'s words', async () => {
    const bad = await e.kubectl(['exec', 'kuard', '-c', 'nosuch', '--', 'true']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('container nosuch is not valid for pod kuard');
    const missing = await e.kubectl(['exec', 'kuard', '--', 'no-such-program']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('exec: "no-such-program": executable file not found in $PATH');
  });
});
