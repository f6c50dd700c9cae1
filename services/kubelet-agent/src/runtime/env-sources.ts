import { envKeys, type PodConfigData } from './config-data.js';

/** The environment variable names Kubernetes accepts (validation.IsEnvVarName). */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

type KeyRef = { name?: string; key?: string; optional?: boolean };

/** The value of a configMapKeyRef / secretKeyRef, undefined when optional and absent, or the kubelet's error. */
export type KeyRefResult = { ok: true; value: string | undefined } | { ok: false; message: string };

/**
 * `env[].valueFrom.configMapKeyRef|secretKeyRef` as the kubelet resolves it (kubelet_pods.go
 * makeEnvironmentVariables): a missing object or key is skipped when `optional`, else
 * `configmap "x" not found` / `couldn't find key k in ConfigMap ns/x` (CreateContainerConfigError).
 */
export function resolveKeyRef(kind: 'configmap' | 'secret', ref: KeyRef, namespace: string, data: PodConfigData | undefined): KeyRefResult {
  const name = ref.name ?? '';
  const optional = ref.optional === true;
  const got = envKeys(data, kind, name);
  if (!got.found) return got.notFound && optional ? { ok: true, value: undefined } : { ok: false, message: got.message };
  const value = got.data[ref.key ?? ''];
  if (value !== undefined) return { ok: true, value: value.toString('utf8') };
  if (optional) return { ok: true, value: undefined };
  const what = kind === 'configmap' ? 'ConfigMap' : 'Secret';
  return { ok: false, message: `couldn't find key ${ref.key ?? ''} in ${what} ${namespace}/${name}` };
}

/** What `envFrom` gives: the variables, the keys skipped as invalid names (for the kubelet's event), or the error. */
export type EnvFromResult =
  | { ok: true; vars: Record<string, string>; skipped: { kind: 'configMap' | 'secret'; name: string; keys: string[] }[] }
  | { ok: false; message: string };

/**
 * A container's `envFrom`, in order (later sources win), each key with its `prefix`; keys that are
 * not valid variable names are skipped (Kubernetes records an InvalidEnvironmentVariableNames
 * event); a missing source fails unless `optional`.
 */
export function envFromVars(container: { readonly [field: string]: unknown }, namespace: string, data: PodConfigData | undefined): EnvFromResult {
  const vars: Record<string, string> = {};
  const skipped: { kind: 'configMap' | 'secret'; name: string; keys: string[] }[] = [];
  const sources = Array.isArray(container.envFrom) ? (container.envFrom as Record<string, unknown>[]) : [];
  for (const src of sources) {
    const ref = (src.configMapRef ?? src.secretRef) as { name?: string; optional?: boolean } | undefined;
    if (!ref) continue;
    const kind = src.configMapRef ? 'configmap' : 'secret';
    const got = envKeys(data, kind, ref.name ?? '');
    if (!got.found) {
      if (got.notFound && ref.optional === true) continue;
      return { ok: false, message: got.message };
    }
    const prefix = typeof src.prefix === 'string' ? src.prefix : '';
    const bad: string[] = [];
    for (const [k, v] of Object.entries(got.data)) {
      const name = prefix + k;
      if (!ENV_VAR_NAME.test(name)) bad.push(name);
      else vars[name] = v.toString('utf8');
    }
    if (bad.length) skipped.push({ kind: kind === 'configmap' ? 'configMap' : 'secret', name: ref.name ?? '', keys: bad.sort() });
  }
  return { ok: true, vars, skipped };
}
