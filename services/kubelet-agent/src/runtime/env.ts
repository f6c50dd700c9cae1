import type { Container, Pod, Service, ServicePort } from '@kjobs/api';
import type { PodConfigData } from './config-data.js';
import { envFromVars, resolveKeyRef } from './env-sources.js';

/** PATH given to every container unless its `env` sets one (containerd's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The annotation the Job controller sets on Indexed pods; exposed as JOB_COMPLETION_INDEX via fieldRef. */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/**
 * Expand `$(VAR)` references exactly as Kubernetes does (third_party/forked/golang/expansion):
 * `$(NAME)` becomes the value when `lookup` knows NAME and stays as written otherwise; `$$`
 * is an escaped `$`; any other `$x` is kept.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close >= 0) {
        const name = input.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      } else {
        out += '$(';
      }
    } else {
      out += `$${next}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** `my-svc` → `MY_SVC`, as Kubernetes names service env vars. */
export function envVarName(serviceName: string): string {
  return serviceName.replace(/-/g, '_').toUpperCase();
}

/**
 * The Docker-link style variables Kubernetes gives every pod for each Service of its namespace
 * (pkg/kubelet/envvars FromServices): `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`,
 * `<NAME>_SERVICE_PORT_<PORTNAME>`, `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}`.
 * kjobs has no cluster IPs behind a proxy, so the host is `podIPOf(svc)` (the IP of a pod backing
 * it) and falls back to `spec.clusterIP`; Services with neither, or without ports, are skipped.
 * Port values are the Service's ports, as in Kubernetes.
 */
export function serviceEnvVars(services: Service[], podIPOf: (svc: Service) => string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const name = svc.metadata.name;
    const ports = svc.spec.ports ?? [];
    const clusterIP = svc.spec.clusterIP && svc.spec.clusterIP !== 'None' ? svc.spec.clusterIP : undefined;
    const host = podIPOf(svc) ?? clusterIP;
    const [firstPort] = ports;
    if (!name || !host || !firstPort) continue;
    const prefix = envVarName(name);
    env[`${prefix}_SERVICE_HOST`] = host;
    env[`${prefix}_SERVICE_PORT`] = String(firstPort.port);
    for (const sp of ports) {
      if (sp.name) env[`${prefix}_SERVICE_PORT_${envVarName(sp.name)}`] = String(sp.port);
    }
    Object.assign(env, linkVars(prefix, host, ports));
  }
  return env;
}

function linkVars(prefix: string, host: string, ports: ServicePort[]): Record<string, string> {
  const env: Record<string, string> = {};
  ports.forEach((sp, i) => {
    const proto = (sp.protocol ?? 'TCP').toLowerCase();
    const url = `${proto}://${host}:${sp.port}`;
    if (i === 0) env[`${prefix}_PORT`] = url;
    const portPrefix = `${prefix}_PORT_${sp.port}_${proto.toUpperCase()}`;
    env[portPrefix] = url;
    env[`${portPrefix}_PROTO`] = proto;
    env[`${portPrefix}_PORT`] = String(sp.port);
    env[`${portPrefix}_ADDR`] = host;
  });
  return env;
}

/** The env vars of the `kubernetes` Service (default/kubernetes, port `https`), for KUBERNETES_SERVICE_HOST/PORT. */
export function kubernetesServiceEnv(host: string, port: number): Record<string, string> {
  const svc: Service = {
    metadata: { name: 'kubernetes', namespace: 'default' },
    spec: { clusterIP: host, ports: [{ name: 'https', port, protocol: 'TCP' }] },
  };
  return serviceEnvVars([svc], () => host);
}

/** Everything the environment of one container is built from. */
export interface EnvContext {
  pod: Pod;
  container: Container;
  /** The pod's loopback IP. */
  podIP: string;
  hostIP: string;
  nodeName: string;
  /** The pod's working directory: HOME. */
  podDir: string;
  /** Service env vars of the pod's namespace (serviceEnvVars), dropped when spec.enableServiceLinks is false. */
  serviceEnv: Record<string, string>;
  /** The `kubernetes` Service env vars (kept even without service links), if the agent has them. */
  kubernetesEnv?: Record<string, string>;
  /** From the pod network: the egress proxy's variables when the node has egress (PodNetwork.podEnv). */
  networkEnv?: Record<string, string>;
  /** The pod's ConfigMaps and Secrets as last read (configMapKeyRef, secretKeyRef, envFrom, volumes). */
  configData?: PodConfigData;
}

/** The environment, or why it cannot be built (a CreateContainerConfigError). */
export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/**
 * Build a container's environment from NOTHING (never the agent's own env, so no credentials
 * leak). Layers, later winning: PATH/HOME/HOSTNAME/POD_* → the network's (HTTP_PROXY…) → service env (Kubernetes order) →
 * the container's `envFrom` (ConfigMaps and Secrets, with prefixes) → its `env` with `$(VAR)`
 * expansion against service env and earlier entries, `valueFrom.fieldRef`, `configMapKeyRef` and
 * `secretKeyRef` (env-sources.ts, the kubelet's messages). Unsupported `valueFrom` sources fail
 * unless marked optional.
 */
export function buildContainerEnv(ctx: EnvContext): EnvResult {
  const { pod } = ctx;
  const env: Record<string, string> = {
    PATH: DEFAULT_PATH,
    HOME: ctx.podDir,
    HOSTNAME: pod.spec.hostname ?? pod.metadata.name ?? '',
    POD_NAME: pod.metadata.name ?? '',
    POD_NAMESPACE: pod.metadata.namespace ?? 'default',
    POD_IP: ctx.podIP,
    ...ctx.networkEnv,
  };
  // Kubernetes expands $(VAR) only against service env and earlier container env entries.
  const scope: Record<string, string> = { ...ctx.kubernetesEnv };
  if (pod.spec.enableServiceLinks !== false) Object.assign(scope, ctx.serviceEnv);
  const fromSources = envFromVars(ctx.container, pod.metadata.namespace ?? 'default', ctx.configData);
  if (!fromSources.ok) return { ok: false, message: fromSources.message };
  Object.assign(scope, fromSources.vars);
  for (const ev of ctx.container.env ?? []) {
    if (ev.valueFrom) {
      const resolved = resolveValueFrom(ev.valueFrom, ctx);
      if (!resolved.ok) {
        if (resolved.optional) continue;
        return { ok: false, message: resolved.keyRef ? resolved.message : `env ${ev.name}: ${resolved.message}` };
      }
      if (resolved.value !== undefined) scope[ev.name] = resolved.value;
    } else {
      scope[ev.name] = expandVars(ev.value ?? '', (n) => scope[n]);
    }
  }
  return { ok: true, env: Object.assign(env, scope) };
}

type ValueFromResult = { ok: true; value: string | undefined } | { ok: false; optional: boolean; message: string; keyRef?: boolean };

function resolveValueFrom(valueFrom: NonNullable<Container['env']>[number]['valueFrom'], ctx: EnvContext): ValueFromResult {
  const fieldPath = valueFrom?.fieldRef?.fieldPath;
  if (fieldPath !== undefined) {
    const value = fieldRefValue(fieldPath, ctx);
    return value === undefined ? { ok: false, optional: false, message: `unsupported fieldRef "${fieldPath}"` } : { ok: true, value };
  }
  const keyRef = valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef;
  if (keyRef) {
    const kind = valueFrom?.configMapKeyRef ? 'configmap' : 'secret';
    const got = resolveKeyRef(kind, keyRef as never, ctx.pod.metadata.namespace ?? 'default', ctx.configData);
    return got.ok ? got : { ok: false, optional: false, message: got.message, keyRef: true };
  }
  const source = Object.keys(valueFrom ?? {}).find((k) => k !== 'fieldRef') ?? 'valueFrom';
  const optional = (valueFrom?.[source] as { optional?: boolean } | undefined)?.optional === true;
  return { ok: false, optional, message: `${source} is not supported by the kjobs process runtime` };
}

/**
 * The value of a downward-API field path (metadata.name, metadata.namespace, metadata.uid,
 * metadata.labels['k'], metadata.annotations['k'], spec.nodeName, spec.serviceAccountName,
 * status.podIP, status.podIPs, status.hostIP, status.hostIPs), or undefined when unsupported.
 * A missing label or annotation gives "" as in Kubernetes.
 */
export function fieldRefValue(fieldPath: string, ctx: Pick<EnvContext, 'pod' | 'podIP' | 'hostIP' | 'nodeName'>): string | undefined {
  const meta = ctx.pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (keyed) {
    const map = keyed[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[keyed[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? 'default';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return ctx.pod.spec.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName':
      return ctx.pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      return undefined;
  }
}

/** Expand `$(VAR)` in a container's command and args against its final environment, as the kubelet does. */
export function expandArgv(argv: readonly string[], env: Record<string, string>): string[] {
  return argv.map((a) => expandVars(a, (n) => env[n]));
}
