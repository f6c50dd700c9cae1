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
  name: 'redis' | 'nats' | 'sentinel';
  url: string;
  port: number;
  /** Current pid (changes on restart). */
  pid(): number | undefined;
  /** True while the current process runs. */
  alive(): boolean;
  /** Every pid it ever had (for the orphan check). */
  pids: number[];
  /** Kill with `signal` and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port and dir (`extraArgs` appended this time); resolves once it accepts connections, with the spawn time. */
  start(extraArgs?: string[]): Promise<number>;
}

export async function waitListening(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await isListening('127.0.0.1', port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** A server process on `port` that this run starts, kills and restarts (not started yet). */
export function ownedServer(name: OwnedServer['name'], port: number, cmd: string, args: string[], logDir: string): OwnedServer {
  let proc: ChildProcess | undefined;
  const pids: number[] = [];
  const server: OwnedServer = {
    name, port, pids,
    url: `${name === 'nats' ? 'nats' : 'redis'}://127.0.0.1:${port}`,
    pid: () => proc?.pid,
    alive: () => proc !== undefined && proc.exitCode === null && proc.signalCode === null,
    async kill(signal = 'SIGKILL') {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill(signal);
      await exited;
    },
    async start(extraArgs = []) {
      const t0 = Date.now();
      const p = spawn(cmd, [...args, ...extraArgs], { stdio: ['ignore', 'ignore', 'ignore'], cwd: logDir });
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

/** A NATS cluster this run owns: servers joined by routes, and the client URL list services get. */
export interface OwnedNatsCluster {
  servers: OwnedServer[];
  /** Every server's client URL, comma-separated (NATS_URL takes a list). */
  url: string;
  /** How many clients server `i` has connected now (its monitoring /connz). */
  clients(i: number): Promise<number>;
  /** Resolves once every running server has a route to every other (its monitoring /routez says so). */
  routed(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start `size` nats-servers on free loopback ports as one cluster (`--cluster` and `--routes` to
 * every other member, cluster name `kjobs`), each restartable on its ports. No JetStream: kjobs
 * uses core NATS only, and a clustered JetStream would need a quorum this does not test.
 */
export async function startNatsCluster(home: string, size = 3): Promise<OwnedNatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`);
  const servers = ports.map((p, i) => {
    const dir = path.join(home, `nats-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    return ownedServer('nats', p.client, 'nats-server', [
      '-a', '127.0.0.1', '-p', String(p.client), '-m', String(p.monitor), '-n', `kjobs-nats-${i + 1}`, '--cluster_name', 'kjobs',
      '--cluster', routes[i]!, '--routes', routes.filter((_, j) => j !== i).join(','), '-l', path.join(dir, 'nats.log'),
    ], dir);
  });
  const routesOf = async (monitor: number): Promise<number> => {
    try {
      const r = (await (await fetch(`http://127.0.0.1:${monitor}/routez`)).json()) as { num_routes?: number };
      return r.num_routes ?? 0;
    } catch {
      return -1;
    }
  };
  const cluster: OwnedNatsCluster = {
    servers,
    url: servers.map((s) => s.url).join(','),
    async clients(i) {
      const r = (await (await fetch(`http://127.0.0.1:${ports[i]!.monitor}/connz`)).json()) as { num_connections: number };
      return r.num_connections;
    },
    async routed(timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const up = servers.map((s, i) => ({ s, monitor: ports[i]!.monitor })).filter(({ s }) => s.pid() !== undefined && s.alive());
        const counts = await Promise.all(up.map(({ monitor }) => routesOf(monitor)));
        if (counts.every((n) => n >= up.length - 1)) return;
        if (Date.now() > end) throw new Error(`NATS cluster not routed after ${timeoutMs} ms: routes per server ${counts.join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await Promise.all(servers.map((s) => s.kill('SIGTERM')));
    },
  };
  await Promise.all(servers.map((s) => s.start()));
  await cluster.routed();
  return cluster;
}
