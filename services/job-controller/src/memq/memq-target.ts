/**
 * Where the job-controller asks about a Job's MemQ queue: the server URL as the Job's pods see it
 * (`kjobs.io/memq-server`, e.g. `http://queue:8080/memq/server`) turned into something this
 * process can dial. A bare host name is a Service of the Job's namespace (as the kuard consumer
 * resolves it through the service env vars), `name.ns` / `name.ns.svc[.cluster.local]` a Service
 * of another namespace; kjobs has no cluster IPs behind a proxy, so a Service means one of its
 * running pods. Any other host (kjobs' memq service) is dialled as given.
 */
import { isIP } from 'node:net';
import type { Pod, Service } from '@kjobs/api';

/** A MemQ server URL split into what is dialled and the API's base path. */
export interface MemqServerUrl {
  host: string;
  port: number;
  /** The MemQ API base, no trailing slash (`/memq/server`). */
  basePath: string;
  /** The Service it names (host a service name), if any. */
  service?: { namespace: string; name: string };
}

/** The pod (and its port) to ask for a Service, or why there is none. */
export type MemqTarget = { kind: 'pod'; pod: Pod; port: number; basePath: string } | { kind: 'error'; message: string };

/** Parse a server URL; undefined when it is not an http URL. `namespace` is the Job's. */
export function parseMemqServer(url: string, namespace: string): MemqServerUrl | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:') return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port === '' ? 80 : Number(u.port);
  const basePath = u.pathname.replace(/\/+$/, '');
  const out: MemqServerUrl = { host, port, basePath };
  if (isIP(host) === 0 && host !== 'localhost') {
    const parts = host.split('.');
    const tail = parts.slice(2).join('.');
    if (parts.length === 1) out.service = { namespace, name: host };
    else if (parts.length === 2 || tail === 'svc' || tail === 'svc.cluster.local') out.service = { namespace: parts[1]!, name: parts[0]! };
  }
  return out;
}

/**
 * The pod to ask for a Service (Kubernetes endpoints without the slice): a Running pod with an IP
 * matching the selector, Ready ones first; the port the Service's port maps to (`targetPort`, by
 * number or by the container port's name; the port itself when unset).
 */
export function resolveServiceTarget(server: MemqServerUrl, svc: Service | undefined, pods: readonly Pod[]): MemqTarget {
  const name = server.service?.name ?? server.host;
  if (!svc) return { kind: 'error', message: `service "${name}" not found` };
  const sp = (svc.spec.ports ?? []).find((p) => p.port === server.port);
  if (!sp) return { kind: 'error', message: `service "${name}" has no port ${server.port}` };
  const sel = svc.spec.selector ?? {};
  if (Object.keys(sel).length === 0) return { kind: 'error', message: `service "${name}" has no selector` };
  const matches = (p: Pod) => Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v);
  const running = pods.filter((p) => matches(p) && p.status?.phase === 'Running' && p.status.podIP && !p.metadata.deletionTimestamp);
  const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const pod = running.find(isReady) ?? running[0];
  if (!pod) return { kind: 'error', message: `no running pod backs service "${name}"` };
  const tp = sp.targetPort;
  let port = sp.port;
  if (typeof tp === 'number') port = tp;
  else if (typeof tp === 'string' && tp !== '') {
    const named = pod.spec.containers.flatMap((c) => c.ports ?? []).find((cp) => cp.name === tp);
    if (!named) return { kind: 'error', message: `pod "${pod.metadata.name}" has no port named "${tp}"` };
    port = named.containerPort;
  }
  return { kind: 'pod', pod, port, basePath: server.basePath };
}
