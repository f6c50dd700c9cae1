/**
 * docker-compose.yml, validated without Docker: the file is read as compose reads it (YAML merge
 * keys, `${VAR:-default}` interpolation from a .env of our own), checked for consistency, and
 * then run — redis-server and nats-server with the compose settings, the `init` service to
 * completion, and every kjobs service (each replica) as a plain process with exactly the command,
 * user and environment compose gives it. Only what a container network provides is mapped: the
 * host names nats/redis/api-server and published ports become loopback ports, named volumes
 * become temp dirs. The commands are the image's: the bundles scripts/docker/bundle.mjs writes
 * (built first). Then the cluster has to work: every healthcheck passes (the image's HEALTHCHECK
 * command, run with each service's KJOBS_HEALTHZ_URL), both nodes Ready, a Job completes.
 * tests/compose/docker.test.ts runs the same file on a real Docker Engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Job, Lease, Node } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { ROOT, readKubeconfig } from '../../scripts/cluster.js';
import { freePort, isListening } from '../../scripts/infra.js';
import { run, waitFor } from '../e2e/harness.js';

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: string[];
  ports?: string[];
  user?: string;
  deploy?: { replicas?: number };
  hostname?: string;
  healthcheck?: { test?: string[]; disable?: boolean; interval?: string };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Send one inline command to Redis and return its first reply line. */
function redisReply(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(`${command}\r\n`));
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
      if (buf.includes('\r\n')) {
        sock.destroy();
        resolve(buf.slice(0, buf.indexOf('\r\n')));
      }
    });
    sock.on('error', reject);
  });
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$$` (a literal `$`). */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (m, name: string | undefined, op: string | undefined, dflt: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    if (op === ':-') return v ? v : dflt!;
    if (op === '-') return v !== undefined ? v : dflt!;
    return v ?? '';
  });
}

function interpolateAll<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)])) as T;
  return value;
}

const composeText = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
/** Our .env: credentials of our own, as the file's header asks users to set. */
/** One NATS user per service (deploy/nats.conf); passwords start with a letter, as NATS needs. */
const NATS_USERS = ['api-server', 'scheduler', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2'] as const;
const natsVar = (user: string) => `NATS_${user.toUpperCase().replace(/-/g, '_')}_PASSWORD`;
const dotenv: Record<string, string> = {
  REDIS_PASSWORD: `redis-${randomBytes(6).toString('hex')}`,
  ...Object.fromEntries(NATS_USERS.map((u) => [natsVar(u), `n${randomBytes(6).toString('hex')}`])),
};
const raw = parseYaml(composeText, { merge: true }) as ComposeFile;
const compose = interpolateAll(raw, dotenv);
const services = compose.services;
// The kjobs services; infrastructure and one-shot setup (init, the image registry and its seeding) aside.
const KJOBS = Object.keys(services).filter((n) => !['nats', 'redis', 'init', 'registry', 'registry-seed'].includes(n));
const dependsOn = (s: ComposeService) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
const env = (s: ComposeService) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
/**
 * The image's ENV (compose adds the service environment on top), less the paths of the C helpers
 * its build stage compiles: here the kubelet-agent compiles them from native/*.c itself.
 */
const imageEnv = Object.fromEntries([...dockerfile.matchAll(/^ENV\s+(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]))
  .filter(([k]) => k !== 'KJOBS_LAUNCHER' && k !== 'KJOBS_NSDIAL'));
const imageUser = dockerfile.match(/^USER\s+(\S+)$/m)?.[1];
/** The image's HEALTHCHECK command (exec form). */
const imageHealthcheck = JSON.parse(dockerfile.match(/^HEALTHCHECK .*? CMD (\[.*\])$/m)![1]!) as string[];

describe('docker-compose.yml as written', () => {
  it('every service has an image or build, and a command', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.build !== undefined || s.image !== undefined, `${name}: build or image`).toBe(true);
      expect(Array.isArray(s.command) && s.command.length > 0, `${name}: command`).toBe(true);
    }
    // The kjobs services got build, image and depends_on from the x-kjobs anchor, and run bundles.
    for (const name of KJOBS) {
      expect(services[name], name).toMatchObject({ build: '.', image: 'kjobs:dev' });
      expect(services[name]!.command, name).toEqual(['node', `services/${name.replace(/-\d$/, '')}/dist/main.mjs`]);
    }
    expect(KJOBS.sort()).toEqual(['api-server', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2', 'memq', 'scheduler']);
  });

  it('depends_on names services that exist, with conditions compose knows', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of dependsOn(s)) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
      if (!Array.isArray(s.depends_on)) {
        for (const [dep, c] of Object.entries(s.depends_on ?? {})) {
          expect(['service_started', 'service_healthy', 'service_completed_successfully'], `${name} → ${dep}`).toContain(c.condition ?? 'service_started');
        }
      }
    }
    for (const name of KJOBS) {
      expect(services[name]!.depends_on).toMatchObject({ init: { condition: 'service_completed_successfully' }, nats: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    for (const name of ['scheduler', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2']) {
      expect(services[name]!.depends_on, name).toMatchObject({ 'api-server': { condition: 'service_healthy' } });
    }
  });

  it('every long-running service has a healthcheck; images are pinned by digest', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name === 'init' || name === 'registry-seed') {
        expect(s.healthcheck, name).toEqual({ disable: true });
        continue;
      }
      expect(s.healthcheck, name).toBeDefined();
      // kjobs services use the image's HEALTHCHECK, which fetches their own KJOBS_HEALTHZ_URL.
      if (KJOBS.includes(name)) expect(env(s).KJOBS_HEALTHZ_URL, name).toMatch(/^https?:\/\/127\.0\.0\.1:\d+\/healthz$/);
      else expect(s.healthcheck!.test, name).toBeDefined();
      if (s.image !== 'kjobs:dev') expect(s.image, name).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^ARG BASE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$/m);
  });

  it('kubelet-agents can run OCI containers and get the mirrors registry-seed writes before they start', () => {
    expect(services['registry-seed']).toMatchObject({ user: 'root', command: ['node', 'scripts/dist/registry-seed.mjs'] });
    expect(env(services['registry-seed']!)).toMatchObject({ KJOBS_HOME: '/state', KJOBS_REGISTRY_URL: 'http://registry:5000' });
    for (const name of ['kubelet-agent-1', 'kubelet-agent-2']) {
      const s = services[name]! as ComposeService & { privileged?: boolean; cgroup?: string; user?: string };
      expect([s.privileged, s.cgroup, s.user], name).toEqual([true, 'host', 'root']);
      expect(s.volumes, name).toEqual(expect.arrayContaining(['state:/state', '/sys/fs/cgroup:/sys/fs/cgroup:rw']));
      expect(s.depends_on, name).toMatchObject({ 'registry-seed': { condition: 'service_completed_successfully' } });
      expect(env(s).KJOBS_REGISTRIES_FILE, name).toBe('/state/registries.yaml');
    }
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/apt-get install[^\n]* runc /);
  });

  it('named volumes are declared and bind mounts exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const [src] = v.split(':');
        if (src!.startsWith('.') || src!.startsWith('/')) expect(existsSync(path.resolve(ROOT, src!)), `${name}: ${src}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${src}`).toContain(src);
      }
    }
  });

  it('NATS runs JetStream with one account per service; Redis keeps an AOF and requires the password', () => {
    const nats = services.nats!;
    expect(nats.command).toContain('-js');
    expect(nats.command!.slice(nats.command!.indexOf('-c'), nats.command!.indexOf('-c') + 2)).toEqual(['-c', '/etc/nats/nats.conf']);
    expect(nats.volumes).toContain('./deploy/nats.conf:/etc/nats/nats.conf:ro');
    const conf = readFileSync(path.join(ROOT, 'deploy/nats.conf'), 'utf8');
    expect(conf).toMatch(/^jetstream\s*\{/m);
    for (const u of NATS_USERS) {
      expect(env(nats)[natsVar(u)], u).toBe(dotenv[natsVar(u)]);
      expect(conf).toMatch(new RegExp(`user:\\s*"${u}",\\s*password:\\s*\\$${natsVar(u)}`));
    }
    const redis = services.redis!.command!;
    expect(redis[0]).toBe('redis-server');
    const flag = (f: string) => redis[redis.indexOf(f) + 1];
    expect(flag('--appendonly')).toBe('yes');
    expect(flag('--requirepass')).toBe(dotenv.REDIS_PASSWORD);
    // Without a .env the laptop defaults apply.
    const defaults = interpolateAll(raw, {});
    expect(defaults.services.redis!.command).toContain('kjobs-redis-dev');
    expect(env(defaults.services['api-server']!).NATS_PASSWORD).toBe('kjobs-nats-api-server-dev');
  });

  it('every service that talks to NATS or Redis carries the credentials the servers were given', () => {
    for (const name of KJOBS) {
      const e = env(services[name]!);
      expect(e.NATS_URL, name).toBe('nats://nats:4222');
      expect(e.KJOBS_HOME, name).toBe('/state');
      if (e.REDIS_URL) expect(e.REDIS_PASSWORD, name).toBe(dotenv.REDIS_PASSWORD);
      // memq speaks only HTTP and Redis; every other service is a NATS client.
      if (name !== 'memq') expect([e.NATS_USER, e.NATS_PASSWORD], name).toEqual([name, dotenv[natsVar(name)]]);
    }
    expect(env(services.memq!).REDIS_URL).toBe('redis://redis:6379');
    expect(env(services['api-server']!).REDIS_URL).toBe('redis://redis:6379');
  });
});

describe('docker-compose.yml, run as plain processes', () => {
  const procs: { name: string; proc: ChildProcess; log: () => string }[] = [];
  let tmp: string;
  let state: string;
  let api: HttpClient | undefined;
  const ports = { redis: 0, nats: 0, natsMonitor: 0, api: 0, memq: 0 };
  /** Each kjobs process's KJOBS_HEALTHZ_URL as mapped to this host, by process name. */
  const healthz = new Map<string, string>();

  /** Spawn with a given environment only (a container sees nothing of the host's). */
  function start(name: string, cmd: string, args: string[], envv: Record<string, string>, opts: { uid?: number; cwd?: string } = {}): ChildProcess {
    const proc = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: envv, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}) });
    let log = '';
    proc.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
    proc.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
    procs.push({ name, proc, log: () => log });
    return proc;
  }
  const logsOf = () => procs.map((p) => `--- ${p.name} (exit ${p.proc.exitCode ?? p.proc.signalCode ?? 'running'})\n${p.log().slice(-1500)}`).join('\n');

  /** Container paths of a service's volumes → host dirs. */
  function volumeMap(s: ComposeService): [string, string][] {
    return (s.volumes ?? []).map((v) => {
      const [src, target] = v.split(':') as [string, string];
      const host = src.startsWith('.') ? path.resolve(ROOT, src) : path.join(tmp, 'volumes', src);
      return [target, host];
    });
  }
  /** What the container network and the published ports provide, for one value. */
  function mapValue(value: string, s: ComposeService): string {
    let v = value
      .replace(/\/\/nats:4222\b/g, `//127.0.0.1:${ports.nats}`)
      .replace(/\/\/redis:6379\b/g, `//127.0.0.1:${ports.redis}`)
      .replace(/\/\/api-server:6443\b/g, `//127.0.0.1:${ports.api}`);
    for (const p of s.ports ?? []) {
      const [hostIp, hostPort, containerPort] = p.split(':') as [string, string, string];
      const port = containerPort === '6443' ? ports.api : ports.memq;
      v = v.replace(new RegExp(`^0\\.0\\.0\\.0:${containerPort}$`), `127.0.0.1:${port}`).replace(new RegExp(`//${hostIp.replace(/\./g, '\\.')}:${hostPort}\\b`), `//127.0.0.1:${port}`);
    }
    for (const [target, host] of volumeMap(s)) if (v === target || v.startsWith(`${target}/`)) v = host + v.slice(target.length);
    return v;
  }
  /** A process's environment; observePort stands for its own KJOBS_HTTP_ADDR port (one per replica). */
  function containerEnv(s: ComposeService, home: string, observePort?: number): Record<string, string> {
    const mapped = Object.fromEntries(Object.entries(env(s)).map(([k, v]) => [k, mapValue(v, s)]));
    const own = /^0\.0\.0\.0:(\d+)$/.exec(mapped.KJOBS_HTTP_ADDR ?? '');
    if (own && observePort) {
      mapped.KJOBS_HTTP_ADDR = `127.0.0.1:${observePort}`;
      mapped.KJOBS_HEALTHZ_URL = mapped.KJOBS_HEALTHZ_URL!.replace(`//127.0.0.1:${own[1]}/`, `//127.0.0.1:${observePort}/`);
    }
    for (const [k, v] of Object.entries(mapped)) {
      // Nothing left that only exists inside the compose network or a container.
      expect(v, `${k}=${v}`).not.toMatch(/\/\/(nats|redis|api-server):|^0\.0\.0\.0:|^\/state\b/);
    }
    return { PATH: process.env.PATH!, HOME: home, HOSTNAME: s.hostname ?? 'container', ...imageEnv, ...mapped };
  }

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kjobs-compose-'));
    // Docker's volumes are root-owned 0755 directories that every container user can reach.
    chmodSync(tmp, 0o755);
    for (const v of Object.keys(compose.volumes ?? {})) mkdirSync(path.join(tmp, 'volumes', v), { recursive: true, mode: 0o755 });
    state = path.join(tmp, 'volumes', 'state');
    ports.redis = await freePort();
    ports.nats = await freePort();
    ports.api = await freePort();
    ports.memq = await freePort();
    ports.natsMonitor = await freePort();
    // What the image runs: the bundles its build stage writes (node, no TypeScript loader).
    const bundled = await run('node', ['scripts/docker/bundle.mjs'], process.env, { timeoutMs: 120_000 });
    expect(bundled.code, bundled.stderr).toBe(0);

    // redis: the compose command, on a loopback port, its /data volume as the working dir.
    const redis = services.redis!;
    const redisData = volumeMap(redis).find(([t]) => t === '/data')![1];
    start('redis', redis.command![0]!, [...redis.command!.slice(1), '--port', String(ports.redis), '--bind', '127.0.0.1', '--dir', redisData], { PATH: process.env.PATH! }, { cwd: redisData });
    // nats: the image's entry point is nats-server; the compose args with their volumes mapped.
    const nats = services.nats!;
    const natsArgs = nats.command!.map((a) => mapValue(a, nats));
    natsArgs[natsArgs.indexOf('-m') + 1] = String(ports.natsMonitor);
    start('nats', 'nats-server', [...natsArgs, '-a', '127.0.0.1', '-p', String(ports.nats)], { PATH: process.env.PATH!, ...env(nats) });
    await waitFor('redis and nats listening', async () => (await isListening('127.0.0.1', ports.redis)) && (await isListening('127.0.0.1', ports.nats)), 20_000, 100);

    // init, exactly as compose runs it first (as root, as its `user:` says), to completion.
    const init = services.init!;
    expect(init.user).toBe('root');
    const initHome = path.join(tmp, 'home-init');
    mkdirSync(initHome);
    const r = await run(init.command![0]!, init.command!.slice(1), containerEnv(init, initHome), { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kjobs init: tokens ready in ${state}`);

    // Every kjobs service, each replica, as the image's user (uid 1000 for `node`) when we can be.
    const uid = imageUser === 'node' && process.getuid?.() === 0 ? 1000 : undefined;
    for (const name of KJOBS) {
      const s = services[name]!;
      for (let i = 1; i <= (s.deploy?.replicas ?? 1); i++) {
        const home = path.join(tmp, `home-${name}-${i}`);
        mkdirSync(home);
        if (uid !== undefined) chownSync(home, uid, uid);
        const e = containerEnv(s, home, await freePort());
        healthz.set(`${name}-${i}`, e.KJOBS_HEALTHZ_URL!);
        start(`${name}-${i}`, s.command![0]!, s.command!.slice(1), e, { uid });
      }
    }
    await waitFor('the kubeconfig the api-server writes', () => existsSync(path.join(state, 'kubeconfig')), 60_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}\n${logsOf()}`);
    });
    const kc = readKubeconfig(state);
    api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    // kjobs services first (SIGTERM, as `docker compose down`), then the servers they use.
    const stopAll = (list: typeof procs) => Promise.all(list.map(async ({ proc }) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }));
    await stopAll(procs.filter((p) => p.name !== 'redis' && p.name !== 'nats'));
    await stopAll(procs.filter((p) => p.name === 'redis' || p.name === 'nats'));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('every healthcheck passes: the image\'s HEALTHCHECK per kjobs process, the servers\' own', async () => {
    expect(imageHealthcheck[0]).toBe('node');
    expect([...healthz.keys()].sort()).toEqual(['api-server-1', 'job-controller-1', 'job-controller-2', 'kubelet-agent-1-1', 'kubelet-agent-2-1', 'memq-1', 'scheduler-1', 'scheduler-2']);
    for (const [name, url] of healthz) {
      await waitFor(`${name} healthy at ${url}`, async () => (await run(process.execPath, imageHealthcheck.slice(1), { PATH: process.env.PATH!, KJOBS_HEALTHZ_URL: url }, { timeoutMs: 10_000 })).code === 0, 90_000, 500)
        .catch((e: Error) => {
          throw new Error(`${e.message}\n${logsOf()}`);
        });
    }
    // The same command fails when nothing answers.
    expect((await run(process.execPath, imageHealthcheck.slice(1), { PATH: process.env.PATH!, KJOBS_HEALTHZ_URL: `http://127.0.0.1:${await freePort()}/healthz` })).code).toBe(1);
    // nats: its healthcheck's URL on the monitoring port; redis: redis-cli with REDISCLI_AUTH.
    expect(services.nats!.healthcheck!.test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8222/healthz']);
    expect((await fetch(`http://127.0.0.1:${ports.natsMonitor}/healthz`)).status).toBe(200);
    const redisCheck = services.redis!.healthcheck!.test!;
    expect(redisCheck[0]).toBe('CMD-SHELL');
    const r = await run('sh', ['-c', redisCheck[1]!.replace('redis-cli', `redis-cli -p ${ports.redis}`)], { PATH: process.env.PATH!, ...env(services.redis!) });
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('the servers run with the compose settings: AOF, the password, the NATS account', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: ports.redis, password: dotenv.REDIS_PASSWORD, lazyConnect: true });
    try {
      await redis.connect();
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }
    // Without the password every command is refused (a raw RESP exchange: no client handshake).
    expect(await redisReply(ports.redis, 'PING')).toMatch(/^-NOAUTH /);
    await expect(connect({ servers: `127.0.0.1:${ports.nats}`, reconnect: false })).rejects.toThrow(/Authorization/i);
    const nc = await connect({ servers: `127.0.0.1:${ports.nats}`, user: 'scheduler', pass: dotenv[natsVar('scheduler')], reconnect: false });
    expect(nc.info?.jetstream).toBe(true);
    await nc.close();
  });

  it('nodes register Ready, a Job completes, kubectl works with the written kubeconfig, memq answers', async () => {
    const ready = await waitFor('both nodes Ready', async () => {
      const nodes = (await api!.list<Node>('Node')).items;
      const names = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name).sort();
      return names.length === 2 ? names : undefined;
    }, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${logsOf()}`);
    });
    expect(ready).toEqual(['kubelet-agent-1', 'kubelet-agent-2']);

    await api!.create<Job>('Job', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'compose-hello', namespace: 'default' },
      spec: { completions: 2, parallelism: 2, template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello from compose'] }], restartPolicy: 'Never' } } },
    });
    const job = await waitFor('compose-hello Complete', async () => {
      const j = await api!.get<Job>('Job', 'default', 'compose-hello');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${logsOf()}`);
    });
    expect(job.status?.succeeded).toBe(2);
    const pods = (await api!.list('Pod', { namespace: 'default', labelSelector: 'job-name=compose-hello' })).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) expect(await api!.logs('default', p.metadata.name!)).toBe('hello from compose\n');

    // The compose file's own instructions: KUBECONFIG=./kubeconfig kubectl get nodes.
    const k = await run('kubectl', [`--cache-dir=${path.join(tmp, 'kube-cache')}`, 'get', 'nodes'], { ...process.env, KUBECONFIG: path.join(state, 'kubeconfig') });
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toMatch(/^kubelet-agent-1\s+Ready\s+/m);
    expect(k.stdout).toMatch(/^kubelet-agent-2\s+Ready\s+/m);

    // Two replicas each of scheduler and job-controller: one leader holds each Lease.
    for (const lease of ['kube-scheduler', 'kube-controller-manager']) {
      expect((await api!.get<Lease>('Lease', 'kube-system', lease)).spec?.holderIdentity, lease).toBeTruthy();
    }
    const stats = await fetch(`http://127.0.0.1:${ports.memq}/memq/server/stats`);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toEqual({ kind: 'stats', queues: [] });

    // Nothing crashed along the way (compose would have restarted it and hidden that).
    expect(procs.filter((p) => p.proc.exitCode !== null || p.proc.signalCode !== null).map((p) => p.name)).toEqual([]);
    // The services ran as the image's user: what the api-server created in /state is theirs.
    if (process.getuid?.() === 0 && imageUser === 'node') expect(statSync(path.join(state, 'pki')).uid).toBe(1000);
    // Redis is writing its append-only file into its volume.
    expect(readdirSync(path.join(tmp, 'volumes', 'redis')).some((f) => f.startsWith('appendonly'))).toBe(true);
  }, 180_000);
});
