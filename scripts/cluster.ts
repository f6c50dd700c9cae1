/**
 * The local cluster as processes: which services run, with which command and environment. Used
 * by `npm start` (scripts/start.ts), the end-to-end tests and the benchmarks, so all three start
 * kjobs the same way. The parts: cluster/services.ts (the service table, tokens),
 * cluster/processes.ts (spawning from bundles, the stop's sweep), cluster/readiness.ts (kubeconfig,
 * readiness, endpoints); this file starts, supervises and stops them.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { defaultCacheDir } from '@kjobs/oci';
import { ensureServiceBundles } from './bundle.mjs';
import { lastLogLine, spawnService, sweepLaunchers } from './cluster/processes.js';
import { restartSpec, waitForApi, writeEndpoints } from './cluster/readiness.js';
import { apiServerUrl, clusterServices, isApiServer, type ClusterOptions, type ServiceSpec } from './cluster/services.js';
import { startHaproxy, type OwnedHaproxy } from './cluster/haproxy.js';
import { freePort } from './infra.js';
import { startLocalRegistry, type LocalRegistry } from './registry.js';

export { ROOT, addressFileOf, apiServerUrl, clusterServices, ensureTokens, isApiServer, registriesFileOf, type ClusterOptions, type ServiceSpec } from './cluster/services.js';
export { haproxyConfig, startHaproxy, type OwnedHaproxy } from './cluster/haproxy.js';
export { bundleOf, spawnService, sweepLaunchers } from './cluster/processes.js';
export { readKubeconfig, waitForApi, waitForClusterReady, writeEndpoints } from './cluster/readiness.js';

/** How often a service may fail within two minutes before the supervisor leaves it down. */
const RESTART_LIMIT = 5;

/** A running local cluster. */
export interface Cluster {
  home: string;
  procs: Map<string, ChildProcess>;
  specs: ServiceSpec[];
  /** The local image registry (or its file:// stand-in), undefined when it could not be set up. */
  registry?: LocalRegistry;
  /** HAProxy in front of the api-servers, when there are several (ClusterOptions.apiServers). */
  loadBalancer?: OwnedHaproxy;
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
  const several = (o.apiServers ?? 1) > 1;
  if (several) o = { ...o, apiServerPorts: o.apiServerPorts ?? await Promise.all(Array.from({ length: o.apiServers! }, () => freePort())) };
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
  // Several api-servers start at once (they share the home: the first to write the PKI and tokens
  // wins, the others read them), behind HAProxy on apiPort.
  const apis = specs.filter((s) => isApiServer(s.name));
  let loadBalancer: OwnedHaproxy | undefined;
  if (several) {
    loadBalancer = await startHaproxy({
      dir: o.home, port: o.apiPort ?? 6443, tls: o.tls !== false,
      backends: apis.map((s) => ({ name: s.name, host: '127.0.0.1', port: Number(s.env.KJOBS_API_ADDR!.split(':')[1]) })),
    });
  }
  for (const api of apis) procs.set(api.name, supervise(api, spawnService(api, o.home)));
  // The registry starts while the api-server boots (it must not delay it); the agents wait only for
  // the mirrors file, which is written before the images are pushed.
  const registryReady = startRegistryFor(o);
  try {
    // An api-server that exits while starting (a bad config, another cluster's store) fails the start at once, with its last words.
    const died = apis.map((api) => new Promise<never>((_, reject) => procs.get(api.name)!.once('exit', (code) => {
      if (code !== 0 && code !== null) reject(new Error(`the ${api.name} exited (${code}): ${lastLogLine(o.home, api.name)}`));
    })));
    for (const d of died) d.catch(() => undefined); // an exit after the start is the supervisor's
    // Each api-server at its own address, then (several) through the load balancer.
    await Promise.race([Promise.all(apis.map((api) => waitForApi(o.home, 30_000, several ? apiServerUrl(api) : undefined))), ...died]);
    if (several) await Promise.race([waitForApi(o.home), ...died]);
  } catch (e) {
    stopping = true;
    for (const api of apis) procs.get(api.name)?.kill('SIGKILL');
    await loadBalancer?.stop();
    await (await registryReady)?.stop();
    throw e;
  }
  const registry = await registryReady;
  for (const s of specs) if (!apis.includes(s)) procs.set(s.name, supervise(s, spawnService(s, o.home)));
  const stopOne = async (p: ChildProcess, sig: NodeJS.Signals = 'SIGTERM') => {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(sig);
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  return {
    home: o.home, procs, specs, registry, loadBalancer,
    endpoints: (timeoutMs) => writeEndpoints(o.home, specs, timeoutMs),
    async stop() {
      stopping = true;
      const others = [...procs].filter(([n]) => !isApiServer(n)).map(([, p]) => p);
      await Promise.all([...others.map((p) => stopOne(p)), registry?.stop()]);
      await Promise.all([...procs].filter(([n]) => isApiServer(n)).map(([, p]) => stopOne(p)));
      await loadBalancer?.stop();
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
      if (isApiServer(name)) await waitForApi(o.home, 30_000, several ? apiServerUrl(spec) : undefined);
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
