import type { Pod } from '@kjobs/api';
import { lookupConfig, type PodConfigData } from './config-data.js';
import { fieldRefValue } from './env.js';

/**
 * Pure planning of a pod's volumes (no file system here; pod-volumes.ts writes them): what files a
 * `configMap`, `secret`, `downwardAPI` or `projected` volume holds, with their modes, or the
 * kubelet's FailedMount reason when it cannot be set up.
 */

/** One file of a volume: a relative path (may contain `/`), its bytes and mode. */
export interface PayloadFile {
  path: string;
  data: Buffer;
  mode: number;
}

/** The kinds of volume kjobs sets up, and the kubelet's plugin directory name of each. */
export const VOLUME_PLUGINS = {
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
  emptyDir: 'kubernetes.io~empty-dir',
  hostPath: 'kubernetes.io~host-path',
} as const;

export type VolumeKind = keyof typeof VOLUME_PLUGINS;

/** A volume of the pod spec as kjobs reads it. */
export interface VolumeSpec {
  name: string;
  [source: string]: unknown;
}

/** The default file mode of configMap, secret, downwardAPI and projected volumes (0644). */
export const DEFAULT_MODE = 0o644;

type Obj = Record<string, unknown>;
type KeyToPath = { key?: string; path?: string; mode?: number };

/** The kind of a volume (its one source), or undefined for a source kjobs does not set up. */
export function volumeKind(v: VolumeSpec): VolumeKind | undefined {
  return (Object.keys(VOLUME_PLUGINS) as VolumeKind[]).find((k) => v[k] != null);
}

/** The pod's volumes, tolerating a malformed spec. */
export function podVolumes(pod: Pod): VolumeSpec[] {
  const vs = pod.spec.volumes;
  return Array.isArray(vs) ? (vs as VolumeSpec[]).filter((v) => v && typeof v.name === 'string') : [];
}

/** A relative path a volume file or subPath may use: not absolute, no `..` element, not empty. */
export function isSafeRelativePath(p: string): boolean {
  if (!p || p.startsWith('/')) return false;
  return !p.split('/').some((s) => s === '..');
}

/** What a volume's content is: its files, or why it cannot be set up (FailedMount). */
export type Payload = { ok: true; files: PayloadFile[] } | { ok: false; message: string };

/** Context the downward API needs. */
export interface DownwardContext {
  pod: Pod;
  podIP: string;
  hostIP: string;
  nodeName: string;
}

/**
 * The files of a ConfigMap / Secret source (a volume or a projection): every key, or only
 * `items` (each key must exist unless optional); a missing object is empty when optional.
 * Messages as the kubelet's configmap/secret volume plugins word them.
 */
export function keyedPayload(kind: 'configmap' | 'secret', name: string, src: { items?: KeyToPath[]; optional?: boolean }, defaultMode: number, data: PodConfigData | undefined): Payload {
  const got = lookupConfig(data, kind, name);
  if (!got.found) return got.notFound && src.optional === true ? { ok: true, files: [] } : { ok: false, message: got.message };
  const files: PayloadFile[] = [];
  if (!Array.isArray(src.items) || src.items.length === 0) {
    for (const k of Object.keys(got.data).sort()) files.push({ path: k, data: got.data[k]!, mode: defaultMode });
    return { ok: true, files };
  }
  for (const item of src.items) {
    const key = item.key ?? '';
    const bytes = got.data[key];
    if (bytes === undefined) {
      if (src.optional === true) continue;
      const what = kind === 'configmap' ? 'configmap references non-existent config key' : 'secret references non-existent secret key';
      return { ok: false, message: `${what}: ${key}` };
    }
    const path = item.path ?? key;
    if (!isSafeRelativePath(path)) return { ok: false, message: `invalid path "${path}" for key ${key}` };
    files.push({ path, data: bytes, mode: typeof item.mode === 'number' ? item.mode : defaultMode });
  }
  return { ok: true, files };
}

/** `k="v"` lines, sorted by key, values quoted as Go's strconv.Quote (fieldpath.FormatMap). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** The files of a downwardAPI source: each item's fieldRef value (labels/annotations as whole maps too). */
export function downwardPayload(items: unknown, defaultMode: number, ctx: DownwardContext): Payload {
  const files: PayloadFile[] = [];
  for (const raw of Array.isArray(items) ? (items as Obj[]) : []) {
    const path = typeof raw.path === 'string' ? raw.path : '';
    if (!isSafeRelativePath(path)) return { ok: false, message: `invalid path "${path}"` };
    const fieldPath = (raw.fieldRef as { fieldPath?: string } | undefined)?.fieldPath;
    let value: string | undefined;
    if (fieldPath === 'metadata.labels') value = formatMap(ctx.pod.metadata.labels);
    else if (fieldPath === 'metadata.annotations') value = formatMap(ctx.pod.metadata.annotations);
    else if (fieldPath !== undefined) value = fieldRefValue(fieldPath, ctx);
    else if (raw.resourceFieldRef) return { ok: false, message: 'resourceFieldRef in a downwardAPI volume is not supported by kjobs' };
    if (value === undefined) return { ok: false, message: `unsupported fieldRef "${fieldPath ?? ''}"` };
    files.push({ path, data: Buffer.from(value, 'utf8'), mode: typeof raw.mode === 'number' ? raw.mode : defaultMode });
  }
  return { ok: true, files };
}

function modeOf(src: Obj): number {
  return typeof src.defaultMode === 'number' ? src.defaultMode : DEFAULT_MODE;
}

/**
 * The files of an atomically written volume (configMap, secret, downwardAPI, projected); `null`
 * for emptyDir and hostPath, which are directories, not payloads.
 */
export function volumePayload(v: VolumeSpec, data: PodConfigData | undefined, ctx: DownwardContext): Payload | null {
  const kind = volumeKind(v);
  const src = (kind ? v[kind] : {}) as Obj;
  switch (kind) {
    case 'configMap':
      return keyedPayload('configmap', String(src.name ?? ''), src, modeOf(src), data);
    case 'secret':
      return keyedPayload('secret', String(src.secretName ?? ''), src, modeOf(src), data);
    case 'downwardAPI':
      return downwardPayload(src.items, modeOf(src), ctx);
    case 'projected':
      return projectedPayload(src, data, ctx);
    default:
      return null;
  }
}

function projectedPayload(src: Obj, data: PodConfigData | undefined, ctx: DownwardContext): Payload {
  const mode = modeOf(src);
  const files: PayloadFile[] = [];
  for (const s of Array.isArray(src.sources) ? (src.sources as Obj[]) : []) {
    let p: Payload | undefined;
    if (s.configMap) p = keyedPayload('configmap', String((s.configMap as Obj).name ?? ''), s.configMap as Obj, mode, data);
    else if (s.secret) p = keyedPayload('secret', String((s.secret as Obj).name ?? ''), s.secret as Obj, mode, data);
    else if (s.downwardAPI) p = downwardPayload((s.downwardAPI as Obj).items, mode, ctx);
    else if (s.serviceAccountToken || s.clusterTrustBundle) return { ok: false, message: 'serviceAccountToken and clusterTrustBundle projections are not supported by kjobs (it serves no ServiceAccounts)' };
    if (!p) continue;
    if (!p.ok) return p;
    files.push(...p.files);
  }
  return { ok: true, files };
}

/** Two payloads hold the same files (paths, bytes and modes)? */
export function samePayload(a: readonly PayloadFile[], b: readonly PayloadFile[]): boolean {
  if (a.length !== b.length) return false;
  const byPath = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const o = byPath.get(f.path);
    return o !== undefined && o.mode === f.mode && o.data.equals(f.data);
  });
}
