/**
 * The cluster's local image registry: Debian's `docker-registry` (CNCF Distribution) as a child
 * process on 127.0.0.1, seeded with the images kjobs builds of its own programs (scripts/images.ts),
 * and the `registries.yaml` that sends the kubelet-agents' pulls of `gcr.io` and `docker.io` there.
 * Without a registry the mirrors point at the image layout directory itself (`file://`, the
 * air-gap path); with `mode: 'off'` and a user's mirrors file, nothing is started or built.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MEDIA_TYPES, RegistryClient, pushImage, readImageLayout } from '@kjobs/oci';
import { freePort, isListening } from './infra.js';
import { buildLocalImages } from './images.js';

/** Registry hosts whose pulls go to the local images. */
export const MIRRORED_REGISTRIES = ['gcr.io', 'docker.io'] as const;

/** Options of {@link startLocalRegistry}. */
export interface LocalRegistryOptions {
  /**
   * Cluster state dir: registry data in `<home>/registry` (its config too), its log in
   * `<home>/logs/registry.log`, the mirrors file in `<home>/registries.yaml`.
   */
  home: string;
  /** Port on 127.0.0.1 (default 5000; 0 picks a free one; a busy port is replaced by a free one). */
  port?: number;
  /** `off`: start no registry (default `on`). */
  mode?: 'on' | 'off';
  /** A mirrors file of the user's: the agents get it as is; with mode `off` nothing is built. */
  registriesFile?: string;
  /** Cache root for the built images (required unless a user file and mode `off`). */
  cacheDir: string;
  /** The registry binary (default `docker-registry`). */
  binary?: string;
  /** One line per notable step (default: silent). */
  log?: (line: string) => void;
}

/** One pushed tag. */
export interface SeededImage {
  ref: string;
  digest: string;
}

/** How seeding ended: what was pushed, what failed, how long it took. */
export interface SeedResult {
  pushed: SeededImage[];
  errors: string[];
  elapsedMs: number;
}

/** The registry (or its stand-in) of a running cluster. */
export interface LocalRegistry {
  /** `registry`: docker-registry runs; `layout`: mirrors are `file://`; `user`: the user's file. */
  kind: 'registry' | 'layout' | 'user';
  /** The mirrors file for every kubelet-agent (`KJOBS_REGISTRIES_FILE`). */
  registriesFile: string;
  /** `http://127.0.0.1:<port>` when kind is `registry`. */
  url?: string;
  /** The image layout directory (not for kind `user`). */
  layoutDir?: string;
  /** The docker-registry process id when one runs. */
  pid?: number;
  /** Settles when every image is pushed; never rejects (errors are listed). */
  seeded: Promise<SeedResult>;
  /** One line for the start output: where images come from. */
  summary: string;
  /** Abort seeding and stop the registry (SIGTERM, SIGKILL after 5 s); idempotent. */
  stop(): Promise<void>;
}

/** The registries.yaml text mirroring {@link MIRRORED_REGISTRIES} to `endpoint`. */
export function registriesYaml(endpoint: string): string {
  const lines = ['# Written by kjobs (scripts/registry.ts): pulls of these registries go to the local images.', 'mirrors:'];
  for (const r of MIRRORED_REGISTRIES) lines.push(`  "${r}":`, '    endpoint:', `      - "${endpoint}"`);
  return `${lines.join('\n')}\n`;
}

/** Write `<home>/registries.yaml` mirroring to `endpoint` (atomically: agents may read it any time). */
export function writeRegistriesFile(home: string, endpoint: string): string {
  const file = path.join(home, 'registries.yaml');
  mkdirSync(home, { recursive: true });
  writeFileSync(`${file}.${process.pid}.tmp`, registriesYaml(endpoint));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return file;
}

/** True when the `/v2/` endpoint of `url` answers (200, or 401 from a registry with auth). */
export async function isRegistryUp(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
    return r.status === 200 || r.status === 401;
  } catch {
    return false;
  }
}

/**
 * Push every tagged image of the layout at `dir` to `url`. A tag that already names the layout's
 * manifest is left alone and another tag of a manifest just pushed gets only the manifest, so a
 * re-seed reads no layer and uploads nothing; pushImage skips blobs the registry has.
 */
export async function seedRegistry(url: string, dir: string, signal?: AbortSignal): Promise<SeedResult> {
  const t0 = performance.now();
  const result: SeedResult = { pushed: [], errors: [], elapsedMs: 0 };
  const client = new RegistryClient(url);
  const pushed = new Map<string, Buffer>();
  for (const img of readImageLayout(dir)) {
    const ref = `${img.registry}/${img.repository}:${img.tag}`;
    if (signal?.aborted) break;
    try {
      const current = await client.getManifest(img.repository, img.tag, signal).then((m) => m.digest, () => undefined);
      const same = pushed.get(`${img.repository}@${img.manifestDigest}`);
      let digest = img.manifestDigest;
      if (current !== img.manifestDigest) {
        if (same) digest = await client.putManifest(img.repository, img.tag, same, MEDIA_TYPES.manifest, signal);
        else {
          const r = await pushImage(url, img.repository, img.tag, img.load(), { signal });
          pushed.set(`${img.repository}@${r.manifestDigest}`, r.manifest);
          digest = r.manifestDigest;
        }
      }
      result.pushed.push({ ref, digest });
    } catch (e) {
      if (!signal?.aborted) result.errors.push(`${ref}: ${(e as Error).message}`);
    }
  }
  result.elapsedMs = Math.round(performance.now() - t0);
  return result;
}

const none: SeedResult = { pushed: [], errors: [], elapsedMs: 0 };

function registryConfig(root: string, port: number): string {
  return [
    'version: 0.1',
    'log:', '  level: info', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${JSON.stringify(root)}`,
    'http:', `  addr: 127.0.0.1:${port}`, `  secret: ${randomBytes(16).toString('hex')}`,
    '',
  ].join('\n');
}

/** Start docker-registry; resolves with the child once `/v2/` answers, or undefined when it cannot run. */
async function spawnRegistry(o: LocalRegistryOptions, port: number, log: (l: string) => void): Promise<ChildProcess | undefined> {
  const root = path.join(o.home, 'registry');
  mkdirSync(root, { recursive: true });
  mkdirSync(path.join(o.home, 'logs'), { recursive: true });
  const config = path.join(root, 'config.yml');
  writeFileSync(config, registryConfig(root, port));
  const out = createWriteStream(path.join(o.home, 'logs', 'registry.log'), { flags: 'a' });
  const child = spawn(o.binary ?? 'docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  let failed: string | undefined;
  child.once('error', (e) => (failed = e.message));
  child.once('exit', (code, sig) => (failed ??= `exited (${sig ?? code})`));
  const end = Date.now() + 10_000;
  while (failed === undefined && Date.now() < end) {
    if (await isRegistryUp(`http://127.0.0.1:${port}`)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`local registry: ${o.binary ?? 'docker-registry'} did not start (${failed ?? 'no answer on /v2/ after 10 s'}; see ${path.join(o.home, 'logs', 'registry.log')})`);
  child.kill('SIGKILL');
  return undefined;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/**
 * Start the local registry and write the mirrors file; seeding goes on in the background.
 * Does: 1. a user's file with mode off: use it, start nothing; 2. build (or find) the images;
 * 3. start docker-registry on the port (a free one if it is taken) and wait for `/v2/`;
 * 4. write `<home>/registries.yaml` → the registry, or → `file://<layout>` when none runs;
 * 5. push every image (`seeded`).
 */
export async function startLocalRegistry(o: LocalRegistryOptions): Promise<LocalRegistry> {
  const log = o.log ?? (() => {});
  if (o.mode === 'off' && o.registriesFile) {
    const file = path.resolve(o.registriesFile);
    return { kind: 'user', registriesFile: file, seeded: Promise.resolve(none), summary: `images      mirrors from ${file} (KJOBS_LOCAL_REGISTRY=off)`, stop: async () => {} };
  }
  const layout = buildLocalImages({ cacheDir: o.cacheDir, log });
  log(`images: ${layout.cached ? 'cached' : 'built'} ${layout.dir} in ${layout.elapsedMs} ms (${layout.images.join(', ')})`);
  let child: ChildProcess | undefined;
  let port = o.port ?? 5000;
  if (o.mode !== 'off') {
    if (port !== 0 && (await isListening('127.0.0.1', port))) {
      log(`local registry: 127.0.0.1:${port} is taken; using a free port`);
      port = 0;
    }
    if (port === 0) port = await freePort();
    child = await spawnRegistry(o, port, log);
  }
  const url = `http://127.0.0.1:${port}`;
  const userFile = o.registriesFile ? path.resolve(o.registriesFile) : undefined;
  if (!child) {
    const file = userFile ?? writeRegistriesFile(o.home, `file://${layout.dir}`);
    const why = o.mode === 'off' ? 'KJOBS_LOCAL_REGISTRY=off' : 'no registry could start';
    return {
      kind: userFile ? 'user' : 'layout', registriesFile: file, layoutDir: layout.dir, seeded: Promise.resolve(none), stop: async () => {},
      summary: userFile ? `images      mirrors from ${file}` : `images      gcr.io, docker.io → file://${layout.dir} (${why}: the air-gap path)`,
    };
  }
  const running = child;
  // A cluster whose parent exits without stop() must not leave the registry behind.
  const killOnExit = () => running.kill('SIGKILL');
  process.once('exit', killOnExit);
  const file = userFile ?? writeRegistriesFile(o.home, url);
  const abort = new AbortController();
  const seeded = seedRegistry(url, layout.dir, abort.signal).then((r) => {
    if (!abort.signal.aborted) log(`local registry: seeded ${r.pushed.length} tags in ${r.elapsedMs} ms${r.errors.length ? `; failed: ${r.errors.join('; ')}` : ''}`);
    return r;
  });
  let stopped: Promise<void> | undefined;
  return {
    kind: userFile ? 'user' : 'registry', registriesFile: file, url, layoutDir: layout.dir, pid: running.pid, seeded,
    summary: `registry    ${url.padEnd(25)}mirrors    gcr.io, docker.io (${userFile ? `agents use ${file}` : file})`,
    stop() {
      stopped ??= (async () => {
        abort.abort();
        await seeded;
        await stopChild(running);
        process.removeListener('exit', killOnExit);
      })();
      return stopped;
    },
  };
}
