// Registry mirrors in k3s' `registries.yaml` format:
//   mirrors:
//     docker.io: { endpoint: ["http://127.0.0.1:5000", "file:///abs/oci-layout-dir"] }
//     "*":       { endpoint: ["https://mirror.example"] }
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { RegistryHostsError } from './errors.js';

/** Mirrors per registry host (`docker.io`, `gcr.io`, `127.0.0.1:5000`, or `*` for every registry). */
export interface RegistryHosts { mirrors: Record<string, { endpoint: string[] }> }

/**
 * Parses and validates a registries.yaml. Guarantees every endpoint is an `https://` URL, an
 * `http://` URL to a loopback host (127.0.0.0/8, ::1, localhost; plain HTTP elsewhere would let
 * the network swap images), or a `file://` URL naming an absolute OCI image layout directory.
 * Throws RegistryHostsError naming the offending key otherwise.
 */
export function parseRegistryHosts(text: string): RegistryHosts {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new RegistryHostsError(`registries.yaml: ${(err as Error).message}`);
  }
  if (doc == null) return { mirrors: {} };
  if (!isRecord(doc)) throw new RegistryHostsError('registries.yaml: the document must be a mapping');
  for (const key of Object.keys(doc)) {
    if (key !== 'mirrors') throw new RegistryHostsError(`registries.yaml: unsupported key "${key}" (only "mirrors" is supported)`);
  }
  const mirrors: RegistryHosts['mirrors'] = {};
  const raw = doc.mirrors ?? {};
  if (!isRecord(raw)) throw new RegistryHostsError('registries.yaml: mirrors must be a mapping');
  for (const [registry, entry] of Object.entries(raw)) {
    const at = `mirrors["${registry}"]`;
    if (registry !== '*' && !/^[a-zA-Z0-9.-]+(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/.test(registry)) {
      throw new RegistryHostsError(`registries.yaml: ${at}: "${registry}" is not a registry host`);
    }
    if (!isRecord(entry) || !Array.isArray(entry.endpoint) || !entry.endpoint.every((e) => typeof e === 'string')) {
      throw new RegistryHostsError(`registries.yaml: ${at}.endpoint must be a list of URLs`);
    }
    mirrors[registry] = { endpoint: entry.endpoint.map((e: string, i: number) => checkEndpoint(e, `${at}.endpoint[${i}]`)) };
  }
  return { mirrors };
}

/** Reads and parses a registries.yaml; an undefined or missing file means no mirrors. */
export async function loadRegistryHosts(file: string | undefined): Promise<RegistryHosts> {
  if (file === undefined) return { mirrors: {} };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mirrors: {} };
    throw err;
  }
  try {
    return parseRegistryHosts(text);
  } catch (err) {
    throw new RegistryHostsError(`${file}: ${(err as Error).message}`);
  }
}

/**
 * The endpoints to try for a registry, in order: its own mirrors (or the `*` mirrors when it has
 * none, as in k3s), then the registry itself — over https, `https://registry-1.docker.io` for
 * docker.io, and over plain http for a loopback registry (as containerd does for localhost).
 */
export function endpointsFor(hosts: RegistryHosts, registry: string): URL[] {
  const mirrors = hosts.mirrors[registry] ?? hosts.mirrors['*'] ?? { endpoint: [] };
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  const urls = [...mirrors.endpoint.map((e) => new URL(e)), new URL(`${isLoopback(hostOnly(host)) ? 'http' : 'https'}://${host}`)];
  return urls.filter((u, i) => urls.findIndex((v) => v.href === u.href) === i);
}

/** True for localhost, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

function checkEndpoint(endpoint: string, at: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new RegistryHostsError(`registries.yaml: ${at}: "${endpoint}" is not a URL`);
  }
  if (url.protocol === 'https:') return endpoint;
  if (url.protocol === 'http:') {
    if (isLoopback(url.hostname)) return endpoint;
    throw new RegistryHostsError(`registries.yaml: ${at}: plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost), not "${url.host}"; use https`);
  }
  if (url.protocol === 'file:') {
    if (url.host && url.host !== 'localhost') throw new RegistryHostsError(`registries.yaml: ${at}: a file:// endpoint must name a local absolute path`);
    if (url.search || url.hash) throw new RegistryHostsError(`registries.yaml: ${at}: a file:// endpoint takes no query or fragment`);
    return endpoint;
  }
  throw new RegistryHostsError(`registries.yaml: ${at}: unsupported scheme "${url.protocol}" (use https://, http:// to loopback, or file://)`);
}

function hostOnly(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:[0-9]+$/, '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
