import type { Pod } from './types.js';

/** The ConfigMaps and Secrets (by name, in the pod's namespace) that a pod refers to. */
export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
}

type Obj = Record<string, unknown>;

function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(rec).filter((x): x is Obj => x !== undefined) : [];
}

function nameOf(v: unknown, field = 'name'): string | undefined {
  const n = rec(v)?.[field];
  return typeof n === 'string' && n !== '' ? n : undefined;
}

/**
 * Every ConfigMap and Secret a pod names: `imagePullSecrets`, `env[].valueFrom` and `envFrom` of
 * all its containers (init and ephemeral too), and its `configMap`, `secret` and `projected`
 * volumes — what Kubernetes' node authorizer graph links a pod to, and what a kubelet must read
 * to run it. Pure; tolerates malformed specs.
 */
export function podReferences(pod: Pick<Pod, 'spec'>): PodReferences {
  const out: PodReferences = { configMaps: new Set(), secrets: new Set() };
  const add = (set: Set<string>, n: string | undefined): void => {
    if (n) set.add(n);
  };
  const spec = rec(pod.spec) ?? {};
  for (const s of list(spec.imagePullSecrets)) add(out.secrets, nameOf(s));
  for (const c of [...list(spec.containers), ...list(spec.initContainers), ...list(spec.ephemeralContainers)]) {
    for (const e of list(c.env)) {
      const from = rec(e.valueFrom);
      add(out.configMaps, nameOf(from?.configMapKeyRef));
      add(out.secrets, nameOf(from?.secretKeyRef));
    }
    for (const e of list(c.envFrom)) {
      add(out.configMaps, nameOf(e.configMapRef));
      add(out.secrets, nameOf(e.secretRef));
    }
  }
  for (const v of list(spec.volumes)) {
    add(out.configMaps, nameOf(v.configMap));
    add(out.secrets, nameOf(v.secret, 'secretName'));
    for (const p of list(rec(v.projected)?.sources)) {
      add(out.configMaps, nameOf(p.configMap));
      add(out.secrets, nameOf(p.secret));
    }
  }
  return out;
}
