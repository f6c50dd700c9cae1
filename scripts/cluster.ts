/**
 * The local cluster as processes: which services run, with which command and environment. Used
 * by `npm start` (scripts/start.ts), the end-to-end tests and the benchmarks, so all three start
 * kjobs the same way.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '@kjobs/oci';
import { ensureServiceBundles, isBundleStale } from './bundle.mjs';
import { isListening } from './infra.js';
import { startLocalRegistry, type LocalRegistry } from './registry.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One service process of the cluster. */
export interface ServiceSpec {
  name: string;
  /** Entry file relative to the repo root. */
  entry: string;
  env: Record<string, string>;
}

/** Options of a local cluster. */
export interface ClusterOptions {
  home: string;
  redisUrl: string;
  natsUrl: string;
  /** api-server port (default 6443; 0 picks a free one). */
  apiPort?: number;
  /** memq port (default 8090: 8080 stays free for the chapter's port-forward). */
  memqPort?: number;
  /** Number of kubelet-agents (default 2). */
  nodes?: number;
  /** Prefixes so several clusters can share one Redis/NATS (tests). */
  storePrefix?: string;
  subjectPrefix?: string;
  /** Serve HTTPS (default true). */
  tls?: boolean;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Services to leave out (e.g. ["memq"]). */
  without?: string[];
  /** Node capacity overrides, per node index. */
  nodeEnv?: (index: number) => Record<string, string>;
  /** Port of the local image registry on 127.0.0.1 (default 0: a free one; `npm start` uses 5000). */
  registryPort?: number;
  /** `off`: start no local registry (default `$KJOBS_LOCAL_REGISTRY`, else `on`). */
  localRegistry?: 'on' | 'off';
  /** A mirrors file to give the kubelet-agents instead of the generated one (default `$KJOBS_REGISTRIES_FILE`). */
  registriesFile?: string;
  /** Where built images are cached (default `$KJOBS_CACHE_DIR`, else `~/.cache/kjobs`). */
  cacheDir?: string;
  /** Lines about images and the registry (default: silent). */
  log?: (line: string) => void;
  /**
   * Restart services killed by a signal too (`npm start`: an OOM kill is a crash). Default false:
   * tests and chaos runs kill services on purpose and restart them themselves.
   */
  restartOnSignal?: boolean;
}

/** The mirrors file the kubelet-agents get: the user's, else `<home>/registries.yaml` (scripts/registry.ts). */
export function registriesFileOf(o: ClusterOptions): string {
  const user = o.registriesFile ?? process.env.KJOBS_REGISTRIES_FILE;
  return user ? path.resolve(user) : path.join(o.home, 'registries.yaml');
}

/** Identities in the static token file: one per component and node, and an admin. */
export function ensureTokens(home: string, nodeNames: string[]): Map<string, string> {
  const file = path.join(home, 'tokens.csv');
  const byUser = new Map<string, string>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [token, user] = line.split(',');
      if (token && user) byUser.set(user, token);
    }
  }
  const want: [string, string][] = [
    ['admin', 'system:masters'],
    ['system:kube-scheduler', 'system:kube-scheduler'],
    ['system:kube-controller-manager', 'system:kube-controller-manager'],
    ['system:memq', 'system:memq'],
    ...nodeNames.map((n) => [`system:node:${n}`, 'system:nodes'] as [string, string]),
  ];
  let changed = false;
  const lines: string[] = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  for (const [user, group] of want) {
    if (byUser.has(user)) continue;
    const token = randomBytes(24).toString('hex');
    byUser.set(user, token);
    lines.push(`${token},${user},${user},"${group}"`);
    changed = true;
  }
  if (changed) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  return byUser;
}

/** The service table of a local cluster. */
export function clusterServices(o: ClusterOptions): ServiceSpec[] {
  const nodeNames = Array.from({ length: o.nodes ?? 2 }, (_, i) => `node-${i + 1}`);
  const tokens = ensureTokens(o.home, nodeNames);
  const common: Record<string, string> = {
    NATS_URL: o.natsUrl,
    KJOBS_HOME: o.home,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(o.subjectPrefix ? { KJOBS_SUBJECT_PREFIX: o.subjectPrefix } : {}),
    ...o.env,
  };
  const out: ServiceSpec[] = [
    {
      name: 'api-server', entry: 'services/api-server/src/main.ts',
      env: {
        ...common, REDIS_URL: o.redisUrl, KJOBS_API_ADDR: `127.0.0.1:${o.apiPort ?? 6443}`, KJOBS_TLS: o.tls === false ? '0' : '1',
        KJOBS_TOKEN_AUTH_FILE: path.join(o.home, 'tokens.csv'), KJOBS_KUBECONFIG: path.join(o.home, 'kubeconfig'),
        ...((o.without ?? []).includes('memq') ? {} : { KJOBS_MEMQ_URL: `http://127.0.0.1:${o.memqPort ?? 8090}` }),
        ...(o.storePrefix ? { KJOBS_STORE_PREFIX: o.storePrefix } : {}),
      },
    },
    { name: 'scheduler', entry: 'services/scheduler/src/main.ts', env: { ...common, KJOBS_ADDR_FILE: addressFileOf(o.home, 'scheduler'), KJOBS_TOKEN: tokens.get('system:kube-scheduler')!, KJOBS_LEADER_IDENTITY: `${os.hostname()}-scheduler-1` } },
    {
      name: 'job-controller', entry: 'services/job-controller/src/main.ts',
      env: {
        ...common, KJOBS_ADDR_FILE: addressFileOf(o.home, 'job-controller'), KJOBS_TOKEN: tokens.get('system:kube-controller-manager')!, KJOBS_LEADER_IDENTITY: `${os.hostname()}-job-controller-1`,
        ...((o.without ?? []).includes('memq') ? {} : { KJOBS_MEMQ_URL: `http://127.0.0.1:${o.memqPort ?? 8090}` }),
      },
    },
    ...nodeNames.map((n, i) => ({
      name: `kubelet-agent-${n}`, entry: 'services/kubelet-agent/src/main.ts',
      env: { ...common, NODE_NAME: n, KJOBS_ADDR_FILE: addressFileOf(o.home, `kubelet-agent-${n}`), KJOBS_TOKEN: tokens.get(`system:node:${n}`)!, KJOBS_POD_IP_RANGE: `127.${10 + i}.0.0/16`, KJOBS_AGENT_DIR: path.join(o.home, 'nodes', n), KJOBS_REGISTRIES_FILE: registriesFileOf(o), ...(o.nodeEnv?.(i) ?? {}) },
    })),
    {
      name: 'memq', entry: 'services/memq/src/main.ts',
      env: { ...common, REDIS_URL: o.redisUrl, MEMQ_ADDR: `127.0.0.1:${o.memqPort ?? 8090}`, ...(o.storePrefix ? { MEMQ_PREFIX: `${o.storePrefix}-memq` } : {}) },
    },
  ];
  return out.filter((s) => !(o.without ?? []).some((w) => s.name === w || s.name.startsWith(`${w}-`)));
}

/** Where service `name` writes the URL of its /healthz, /readyz and /metrics port (KJOBS_ADDR_FILE). */
export function addressFileOf(home: string, name: string): string {
  return path.join(home, 'run', `${name}.addr`);
}

/** The URL a service wrote to its address file, if it has. */
function readAddressFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A service's environment for a restart: the port it had, so endpoints.json stays true (a first
 * start asks for port 0, a free one) — unless something else listens there now (a port another
 * process took meanwhile would keep the service from starting at all): then a free one again.
 */
async function restartSpec(s: ServiceSpec): Promise<ServiceSpec> {
  const url = s.env.KJOBS_ADDR_FILE && !s.env.KJOBS_HTTP_ADDR ? readAddressFile(s.env.KJOBS_ADDR_FILE) : undefined;
  if (!url) return s;
  const { hostname, port } = new URL(url);
  if (await isListening(hostname, Number(port))) return s;
  return { ...s, env: { ...s.env, KJOBS_HTTP_ADDR: new URL(url).host } };
}

/**
 * Every service's address — the api-server's and memq's, and the /healthz, /readyz, /metrics
 * port each other service wrote to its address file — written to `<home>/endpoints.json` and
 * returned. Waits up to `timeoutMs` for the address files; a service that wrote none by then is
 * left out (its log says why).
 */
export async function writeEndpoints(home: string, specs: ServiceSpec[], timeoutMs = 15_000): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const api = specs.find((s) => s.name === 'api-server');
  if (api) out['api-server'] = readKubeconfig(home).server;
  const end = Date.now() + timeoutMs;
  for (const s of specs) {
    if (s.name === 'memq' && s.env.MEMQ_ADDR) out.memq = `http://${s.env.MEMQ_ADDR}`;
    const file = s.env.KJOBS_ADDR_FILE;
    if (!file) continue;
    let url = readAddressFile(file);
    while (!url && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      url = readAddressFile(file);
    }
    if (url) out[s.name] = url;
  }
  writeFileSync(path.join(home, 'endpoints.json'), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

/** The bundle a service runs (scripts/bundle.mjs): services/<name>/src/main.ts → services/<name>/dist/main.mjs. */
export function bundleOf(entry: string): string {
  return path.join(ROOT, entry.replace(/\/src\/main\.ts$/, '/dist/main.mjs'));
}

/**
 * Spawn a service as a process: `node services/<name>/dist/main.mjs`, its bundle (rebuilt first
 * if a source changed since), its output appended to `<home>/logs/<name>.log`.
 */
export function spawnService(s: ServiceSpec, home: string): ChildProcess {
  const logDir = path.join(home, 'logs');
  mkdirSync(logDir, { recursive: true });
  const out = createWriteStream(path.join(logDir, `${s.name}.log`), { flags: 'a' });
  const bundle = bundleOf(s.entry);
  if (isBundleStale(bundle)) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), path.basename(path.dirname(path.dirname(bundle)))], { stdio: 'ignore' });
  const child = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? home, ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  return child;
}

/**
 * The last resort of a stop: the native launchers of this cluster's nodes (their argument is a
 * directory under `nodesDir`) and the process groups of the runs they still hold are SIGKILLed.
 * A running agent stops its pods itself (node shutdown); this ends what an agent that was down
 * left behind. Returns how many runs were ended.
 */
export function sweepLaunchers(nodesDir: string): number {
  const launchers: number[] = [];
  const parentOf = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parentOf.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '').startsWith('kjobs-launcher') && (argv[1] ?? '').startsWith(`${nodesDir}/`)) launchers.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  let runs = 0;
  for (const [pid, ppid] of parentOf) {
    if (!launchers.includes(ppid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      runs++;
    } catch {
      // already gone
    }
  }
  for (const l of launchers) {
    try {
      process.kill(l, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return runs;
}

/** How often a service may fail within two minutes before the supervisor leaves it down. */
const RESTART_LIMIT = 5;

/** The last non-empty line a service wrote to its log (for a start that failed). */
function lastLogLine(home: string, name: string): string {
  try {
    const lines = readFileSync(path.join(home, 'logs', `${name}.log`), 'utf8').trim().split('\n');
    return lines.filter((l) => !l.startsWith('{')).at(-1) ?? lines.at(-1) ?? '';
  } catch {
    return '';
  }
}

/**
 * Wait until the cluster serves: `nodes` Nodes Ready and, with `memqUrl`, memq answering
 * `/memq/server/stats`. Throws after `timeoutMs` saying what is missing.
 */
export async function waitForClusterReady(home: string, o: { nodes: number; memqUrl?: string; timeoutMs?: number }): Promise<void> {
  const kc = readKubeconfig(home);
  const end = Date.now() + (o.timeoutMs ?? 120_000);
  let missing = '';
  for (;;) {
    const ready = await new Promise<number>((resolve) => {
      const u = new URL(`${kc.server}/api/v1/nodes`);
      const req = (u.protocol === 'https:' ? https : http).get(u, { ca: kc.ca, headers: { Authorization: `Bearer ${kc.token}` }, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          try {
            const items = (JSON.parse(body) as { items?: { status?: { conditions?: { type: string; status: string }[] } }[] }).items ?? [];
            resolve(items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length);
          } catch {
            resolve(0);
          }
        });
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
    const memqOk = !o.memqUrl || (await new Promise<boolean>((resolve) => {
      const req = http.get(`${o.memqUrl}/memq/server/stats`, { timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    }));
    if (ready >= o.nodes && memqOk) return;
    missing = [ready < o.nodes ? `${ready} of ${o.nodes} nodes Ready` : '', memqOk ? '' : `memq not answering at ${o.memqUrl}`].filter(Boolean).join(', ');
    if (Date.now() > end) throw new Error(`the cluster is not ready: ${missing}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Admin credentials from the kubeconfig the api-server wrote. */
export function readKubeconfig(home: string): { server: string; token: string; ca?: string } {
  const kc = JSON.parse(readFileSync(path.join(home, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
    users: { user: { token: string } }[];
  };
  const c = kc.clusters[0]!.cluster;
  return { server: c.server, token: kc.users[0]!.user.token, ca: c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64').toString() : undefined };
}

/** Wait until the api-server answers /readyz and its kubeconfig exists. */
export async function waitForApi(home: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      if (existsSync(path.join(home, 'kubeconfig'))) {
        const kc = readKubeconfig(home);
        const ok = await new Promise<boolean>((resolve) => {
          const u = new URL(`${kc.server}/readyz`);
          const mod = u.protocol === 'https:' ? https : http;
          const req = mod.get(u, { ca: kc.ca, timeout: 1000 }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          });
          req.on('error', (e) => {
            lastErr = e;
            resolve(false);
          });
          req.on('timeout', () => req.destroy());
        });
        if (ok) return;
      }
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`api-server not ready after ${timeoutMs} ms: ${String(lastErr)} (see ${path.join(home, 'logs', 'api-server.log')})`);
}

/** A running local cluster. */
export interface Cluster {
  home: string;
  procs: Map<string, ChildProcess>;
  specs: ServiceSpec[];
  /** The local image registry (or its file:// stand-in), undefined when it could not be set up. */
  registry?: LocalRegistry;
  /** Stop every service and the registry (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Write `<home>/endpoints.json` once every service wrote its address (writeEndpoints); returns it. */
  endpoints(timeoutMs?: number): Promise<Record<string, string>>;
  /** SIGKILL one service and start it again (chaos and crash tests). */
  restart(name: string, signal?: NodeJS.Signals): Promise<void>;
}

/** Start every service; resolves once the api-server is ready. */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  mkdirSync(o.home, { recursive: true, mode: 0o700 });
  // Address files of an earlier run name ports that are no longer ours.
  rmSync(path.join(o.home, 'run'), { recursive: true, force: true });
  const specs = clusterServices(o);
  // Every stale bundle at once (in parallel), before the first spawn.
  await ensureServiceBundles();
  const procs = new Map<string, ChildProcess>();
  let stopping = false;
  const exits = new Map<string, number[]>();
  /**
   * The one supervisor of the cluster's services, like compose's `restart: unless-stopped`: a
   * service that exits by itself with an error (a controller that lost its Lease exits so a fresh
   * process can stand by) is started again after 0.5 s, doubling to 30 s while it keeps failing;
   * one that failed more than RESTART_LIMIT times in two minutes is reported and left down.
   * Processes killed by a signal — by a test, a chaos run or `stop()` — are left alone unless
   * `restartOnSignal`.
   */
  const supervise = (s: ServiceSpec, p: ChildProcess): ChildProcess => {
    p.once('exit', (code, signal) => {
      if (stopping || code === 0 || procs.get(s.name) !== p) return;
      // SIGINT/SIGTERM/SIGHUP are someone stopping it (a terminal's Ctrl-C reaches every service too).
      if (signal !== null && (!o.restartOnSignal || signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP')) return;
      const now = Date.now();
      const recent = [...(exits.get(s.name) ?? []).filter((t) => now - t < 120_000), now];
      exits.set(s.name, recent);
      const logFile = path.join(o.home, 'logs', `${s.name}.log`);
      if (recent.length > RESTART_LIMIT) {
        o.log?.(`${s.name} exited (${signal ?? code}) ${recent.length} times in two minutes; left down — see ${logFile}`);
        return;
      }
      const delayMs = Math.min(30_000, 500 * 2 ** (recent.length - 1));
      o.log?.(`${s.name} exited (${signal ?? code}); restarting in ${delayMs / 1000} s — see ${logFile}`);
      setTimeout(() => {
        void restartSpec(s).then((spec) => {
          if (stopping || procs.get(s.name) !== p) return;
          procs.set(s.name, supervise(s, spawnService(spec, o.home)));
        });
      }, delayMs);
    });
    return p;
  };
  const api = specs.find((s) => s.name === 'api-server')!;
  procs.set(api.name, supervise(api, spawnService(api, o.home)));
  // The registry starts while the api-server boots (it must not delay it); the agents wait only for
  // the mirrors file, which is written before the images are pushed.
  const registryReady = startRegistryFor(o);
  try {
    // An api-server that exits while starting (a bad config, another cluster's store) fails the start at once, with its last words.
    const apiProc = procs.get(api.name)!;
    const died = new Promise<never>((_, reject) => apiProc.once('exit', (code) => {
      if (code !== 0 && code !== null) reject(new Error(`the api-server exited (${code}): ${lastLogLine(o.home, api.name)}`));
    }));
    await Promise.race([waitForApi(o.home), died]);
  } catch (e) {
    stopping = true;
    procs.get(api.name)?.kill('SIGKILL');
    await (await registryReady)?.stop();
    throw e;
  }
  const registry = await registryReady;
  for (const s of specs) if (s !== api) procs.set(s.name, supervise(s, spawnService(s, o.home)));
  const stopOne = async (p: ChildProcess, sig: NodeJS.Signals = 'SIGTERM') => {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(sig);
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  return {
    home: o.home, procs, specs, registry,
    endpoints: (timeoutMs) => writeEndpoints(o.home, specs, timeoutMs),
    async stop() {
      stopping = true;
      const others = [...procs].filter(([n]) => n !== 'api-server').map(([, p]) => p);
      await Promise.all([...others.map((p) => stopOne(p)), registry?.stop()]);
      const a = procs.get('api-server');
      if (a) await stopOne(a);
      // An agent that was down at the stop (crashed, killed by a test) could not stop its pods.
      const left = sweepLaunchers(path.join(o.home, 'nodes'));
      if (left) o.log?.(`ended ${left} pod process group(s) left by a kubelet-agent that was not running`);
    },
    async restart(name: string, signal: NodeJS.Signals = 'SIGKILL') {
      const spec = specs.find((s) => s.name === name);
      const p = procs.get(name);
      if (!spec || !p) throw new Error(`no service ${name}`);
      await stopOne(p, signal);
      procs.set(name, supervise(spec, spawnService(await restartSpec(spec), o.home)));
      if (name === 'api-server') await waitForApi(o.home);
    },
  };
}

/**
 * The cluster's local registry (scripts/registry.ts) with the cluster's options; a failure is
 * logged and leaves the agents without mirrors (a stale mirrors file is removed), never the
 * cluster without an api-server.
 */
async function startRegistryFor(o: ClusterOptions): Promise<LocalRegistry | undefined> {
  const mode = o.localRegistry ?? (process.env.KJOBS_LOCAL_REGISTRY === 'off' ? 'off' : 'on');
  const user = o.registriesFile ?? process.env.KJOBS_REGISTRIES_FILE;
  try {
    return await startLocalRegistry({
      home: o.home, port: o.registryPort ?? 0, mode, registriesFile: user,
      cacheDir: o.cacheDir ?? defaultCacheDir(process.env), log: o.log,
    });
  } catch (e) {
    o.log?.(`local registry: not set up: ${(e as Error).message}`);
    if (!user) rmSync(path.join(o.home, 'registries.yaml'), { force: true });
    return undefined;
  }
}
