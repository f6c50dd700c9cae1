/**
 * Finds Redis and NATS the way `npm start` and `npm test` both do: use the ones at REDIS_URL /
 * NATS_URL (default loopback :6379 / :4222) when something answers there; otherwise start
 * `redis-server` and `nats-server -js` from PATH on free loopback ports, under the state dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Infra {
  redisUrl: string;
  natsUrl: string;
  /** Processes this call started (stop them on exit). */
  started: ChildProcess[];
  stop(): Promise<void>;
}

function hostPort(url: string, defPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defPort) };
}

/** True when a TCP connect to host:port succeeds within 500 ms. */
export function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

async function waitListening(host: string, port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await isListening(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start listening on ${host}:${port}`);
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Make sure Redis and NATS are reachable; start them from PATH when they are not. */
export async function ensureInfra(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Infra> {
  const started: ChildProcess[] = [];
  let redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const r = hostPort(redisUrl, 6379);
  if (!(await isListening(r.host, r.port))) {
    if (!onPath('redis-server')) throw new Error(`nothing listens at ${redisUrl} and redis-server is not installed: install it (Debian: apt-get install redis-server) or set REDIS_URL`);
    const port = await freePort();
    const dir = path.join(stateDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const p = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    started.push(p);
    await waitListening('127.0.0.1', port, 'redis-server');
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const n = hostPort(natsUrl, 4222);
  if (!(await isListening(n.host, n.port))) {
    if (!onPath('nats-server')) throw new Error(`nothing listens at ${natsUrl} and nats-server is not installed: install it (Debian: apt-get install nats-server) or set NATS_URL`);
    const port = await freePort();
    const dir = path.join(stateDir, 'nats');
    mkdirSync(dir, { recursive: true });
    const p = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    started.push(p);
    await waitListening('127.0.0.1', port, 'nats-server');
    natsUrl = `nats://127.0.0.1:${port}`;
  }
  return {
    redisUrl,
    natsUrl,
    started,
    async stop() {
      for (const p of started) p.kill('SIGTERM');
      await Promise.all(started.map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise((res) => p.once('exit', res)))));
    },
  };
}
