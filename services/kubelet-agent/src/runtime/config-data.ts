import type { ConfigMap, Secret } from '@kjobs/api';

/**
 * The ConfigMaps and Secrets of one pod (its namespace), as the agent last read them for it:
 * an object, `null` when the API answered 404, or the error text of a failed read. Names the pod
 * refers to but that were not read yet are absent (treated like a failed read); without a
 * snapshot at all every object counts as not found.
 */
export interface PodConfigData {
  configMaps: ReadonlyMap<string, ConfigMap | null | { error: string }>;
  secrets: ReadonlyMap<string, Secret | null | { error: string }>;
}

/** What a lookup found: the text values of the object's keys, or why not. */
export type ConfigLookup =
  | { found: true; data: Record<string, Buffer> }
  | { found: false; notFound: boolean; message: string };

/** An empty snapshot (a pod that refers to nothing). */
export const NO_CONFIG_DATA: PodConfigData = { configMaps: new Map(), secrets: new Map() };

/**
 * The key → bytes of a ConfigMap (`data` as UTF-8, plus `binaryData`) or a Secret (`data`,
 * base64), with the kubelet's messages when it cannot be had: `configmap "x" not found`,
 * `secret "x" not found` (the kubelet's managers name the resource in the singular).
 */
export function lookupConfig(data: PodConfigData | undefined, kind: 'configmap' | 'secret', name: string): ConfigLookup {
  const got = kind === 'configmap' ? data?.configMaps.get(name) : data?.secrets.get(name);
  // No snapshot at all (a runtime without a config source): nothing exists.
  if (got === null || data === undefined) return { found: false, notFound: true, message: `${kind} "${name}" not found` };
  if (got === undefined) return { found: false, notFound: false, message: `couldn't get ${kind} "${name}": not read yet` };
  if ('error' in got && typeof got.error === 'string') return { found: false, notFound: false, message: got.error };
  const out: Record<string, Buffer> = {};
  if (kind === 'configmap') {
    const cm = got as ConfigMap;
    for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(String(v), 'utf8');
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(String(v), 'base64');
  } else {
    for (const [k, v] of Object.entries((got as Secret).data ?? {})) out[k] = Buffer.from(String(v), 'base64');
  }
  return { found: true, data: out };
}

/** The text keys only (env vars): a ConfigMap's `data`, a Secret's decoded `data`. */
export function envKeys(data: PodConfigData | undefined, kind: 'configmap' | 'secret', name: string): ConfigLookup {
  const got = lookupConfig(data, kind, name);
  if (!got.found || kind === 'secret') return got;
  const cm = data!.configMaps.get(name) as ConfigMap;
  const text: Record<string, Buffer> = {};
  for (const k of Object.keys(cm.data ?? {})) text[k] = got.data[k]!;
  return { found: true, data: text };
}
