import { parseImageRef, type RegistryCredentials } from '@kjobs/oci';
import type { Pod } from '@kjobs/api';
import { lookupConfig, type PodConfigData } from '../config-data.js';

/** An entry of a docker config's `auths`. */
interface DockerAuth { username?: string; password?: string; auth?: string }

/** Docker Hub's names in docker configs, all meaning docker.io. */
const DOCKER_HUB = new Set(['index.docker.io', 'registry-1.docker.io', 'docker.io']);

/**
 * A docker config key (`https://index.docker.io/v1/`, `127.0.0.1:5000`, `registry.example/team`)
 * as host and path prefix, the way the kubelet's credential keyring normalises it.
 */
export function parseConfigKey(key: string): { host: string; path: string } {
  const noScheme = key.replace(/^[a-z]+:\/\//i, '');
  const slash = noScheme.indexOf('/');
  let host = (slash < 0 ? noScheme : noScheme.slice(0, slash)).toLowerCase();
  let path = slash < 0 ? '' : noScheme.slice(slash + 1).replace(/\/+$/, '');
  if (DOCKER_HUB.has(host)) host = 'docker.io';
  if (/^v[12]$/.test(path)) path = '';
  return { host, path };
}

/** The `auths` of a dockerconfigjson (`{"auths": {…}}`) or legacy dockercfg (`{…}`) payload. */
export function dockerAuths(json: string): Record<string, DockerAuth> {
  try {
    const parsed = JSON.parse(json) as { auths?: Record<string, DockerAuth> } & Record<string, DockerAuth>;
    const auths = parsed.auths && typeof parsed.auths === 'object' ? parsed.auths : parsed;
    return auths && typeof auths === 'object' ? auths : {};
  } catch {
    return {};
  }
}

function credentialsOf(a: DockerAuth): RegistryCredentials | undefined {
  if (a.username !== undefined || a.password !== undefined) return { username: a.username ?? '', password: a.password ?? '' };
  if (typeof a.auth === 'string' && a.auth) {
    const text = Buffer.from(a.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon >= 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return undefined;
}

/** What a pod's pull secrets give for one image: credentials in order, and the secrets that could not be read. */
export interface PullCredentials {
  credentials: RegistryCredentials[];
  missing: string[];
}

/**
 * The credentials of a pod's `imagePullSecrets` for an image, as the kubelet's keyring matches
 * them: each secret of type `kubernetes.io/dockerconfigjson` (`.dockerconfigjson`) or
 * `kubernetes.io/dockercfg` (`.dockercfg`), each entry whose host is the image's registry and
 * whose path (if any) prefixes its repository — longer paths first, secrets in the pod's order.
 */
export function pullCredentials(pod: Pod, image: string, data: PodConfigData | undefined): PullCredentials {
  const out: PullCredentials = { credentials: [], missing: [] };
  const refs = Array.isArray(pod.spec.imagePullSecrets) ? (pod.spec.imagePullSecrets as { name?: string }[]) : [];
  if (!refs.length) return out;
  let registry: string;
  let repository: string;
  try {
    ({ registry, repository } = parseImageRef(image));
  } catch {
    return out;
  }
  for (const ref of refs) {
    const name = ref?.name ?? '';
    const got = lookupConfig(data, 'secret', name);
    if (!got.found) {
      out.missing.push(name);
      continue;
    }
    const payload = got.data['.dockerconfigjson'] ?? got.data['.dockercfg'];
    if (!payload) continue;
    const matches = Object.entries(dockerAuths(payload.toString('utf8')))
      .map(([key, auth]) => ({ ...parseConfigKey(key), auth }))
      .filter((e) => e.host === registry.toLowerCase() && (!e.path || repository === e.path || repository.startsWith(`${e.path}/`)))
      .sort((a, b) => b.path.length - a.path.length);
    for (const m of matches) {
      const c = credentialsOf(m.auth);
      if (c) out.credentials.push(c);
    }
  }
  return out;
}
