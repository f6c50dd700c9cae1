/**
 * The chaos and soak suites' own redis-server and nats-server: on free loopback ports, with their
 * own data dirs under the run's home, restartable on the same port and dir. The machine's shared
 * Redis (6379) and NATS (4222) are never touched.
 *
 * Redis runs with `--appendonly yes --appendfsync always`: Redis answers a write only after it is
 * fsynced to the AOF, so a SIGKILLed Redis restarts with every write the api-server acknowledged
 * (with the default `everysec`, up to a second of acknowledged writes can be lost, and the suite's
 * "no acknowledged write lost" check would be testing the fsync policy, not kjobs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, isListening } from '../scripts/infra.js';

/** One infrastructure server this run owns. */
export interface OwnedServer {
  name: 'redis' | 'nats';
  url: string;
  port: number;
  /** Current pid (changes on restart). */
  pid(): number | undefined;
  /** Every pid it ever had (for the orphan check). */
  pids: number[];
  /** Kill with `signal` and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port and dir; resolves once it accepts connections, with the spawn time. */
  start(): Promise<number>;
}

async function waitListening(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await isListening('127.0.0.1', port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function ownedServer(name: 'redis' | 'nats', port: number, cmd: string, args: string[], logDir: string): OwnedServer {
  let proc: ChildProcess | undefined;
  const pids: number[] = [];
  const server: OwnedServer = {
    name, port, pids,
    url: `${name === 'redis' ? 'redis' : 'nats'}://127.0.0.1:${port}`,
    pid: () => proc?.pid,
    async kill(signal = 'SIGKILL') {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill(signal);
      await exited;
    },
    async start() {
      const t0 = Date.now();
      const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], cwd: logDir });
      proc = p;
      if (p.pid) pids.push(p.pid);
      const died = new Promise<never>((_, reject) => p.once('exit', (code, sig) => reject(new Error(`${cmd} exited (${sig ?? code}) while starting`))));
      died.catch(() => undefined);
      await Promise.race([waitListening(port, cmd), died]);
      return t0;
    },
  };
  return server;
}

/**
 * Start a private Redis (AOF; fsync `always` by default, the soak uses compose's `everysec`) and
 * NATS (JetStream) under `home`.
 */
export async function startOwnedInfra(home: string, o: { appendfsync?: 'always' | 'everysec' } = {}): Promise<{ redis: OwnedServer; nats: OwnedServer; stop(): Promise<void> }> {
  const redisDir = path.join(home, 'redis');
  const natsDir = path.join(home, 'nats');
  mkdirSync(redisDir, { recursive: true });
  mkdirSync(natsDir, { recursive: true });
  const redisPort = await freePort();
  const natsPort = await freePort();
  const redis = ownedServer('redis', redisPort, 'redis-server', [
    '--bind', '127.0.0.1', '--port', String(redisPort), '--dir', redisDir, '--daemonize', 'no',
    '--appendonly', 'yes', '--appendfsync', o.appendfsync ?? 'always', '--save', '', '--maxmemory-policy', 'noeviction',
    '--logfile', path.join(redisDir, 'redis.log'),
  ], redisDir);
  const nats = ownedServer('nats', natsPort, 'nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', natsDir, '-l', path.join(natsDir, 'nats.log')], natsDir);
  await redis.start();
  await nats.start();
  return {
    redis, nats,
    async stop() {
      await Promise.all([redis.kill('SIGTERM'), nats.kill('SIGTERM')]);
    },
  };
}
