import { ApiError, badRequest, findResource, internalError, isApiError, type ConfigMap, type Secret } from '@kjobs/api';
import { decodeJson, encodeJson, type ApiReply, type JoinCredential, type JoinDiscovery, type JoinRequest, type NatsConnection, type Subjects } from '@kjobs/bus';
import { bootstrapTokenRefusal, bootstrapTokenSecretName, BOOTSTRAP_TOKEN_NAMESPACE, parseBootstrapToken, signWithBootstrapToken } from '@kjobs/client';
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ApiService } from './api-service.js';
import type { NodeCredentials } from './tokens.js';

const SECRETS = findResource('', 'secrets')!;
const CONFIGMAPS = findResource('', 'configmaps')!;
const NODE_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Where discovery reads the cluster's public facts from (kubeadm's ConfigMap). */
export const CLUSTER_INFO = { namespace: 'kube-public', name: 'cluster-info' } as const;

/** What kube-public/cluster-info says about the cluster. */
export interface ClusterInfo {
  /** The api-server's URL for other hosts. */
  server: string;
  /** The cluster CA (PEM); none when the api-server serves plain HTTP. */
  caPem?: string;
  /** The NATS URL for other hosts. */
  natsUrl: string;
}

/**
 * Write kube-public/cluster-info as kubeadm does: `kubeconfig` (a kubeconfig with the cluster's
 * server and CA, no user) — what discovery signs — plus kjobs' `nats` (where nodes connect).
 * Idempotent (create, else update when it changed).
 */
export async function publishClusterInfo(api: ApiService, info: ClusterInfo): Promise<void> {
  const cluster: Record<string, unknown> = { server: info.server };
  if (info.caPem) cluster['certificate-authority-data'] = Buffer.from(info.caPem).toString('base64');
  const kubeconfig = JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster }], contexts: [], users: [], preferences: {} });
  const data = { kubeconfig, nats: info.natsUrl };
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CLUSTER_INFO.name, namespace: CLUSTER_INFO.namespace }, data };
  try {
    await api.create(CONFIGMAPS, CLUSTER_INFO.namespace, cm);
  } catch (e) {
    if (!isApiError(e, 409)) throw e;
    const cur = (await api.get(CONFIGMAPS, CLUSTER_INFO.namespace, CLUSTER_INFO.name)) as ConfigMap;
    if (JSON.stringify(cur.data) === JSON.stringify(data)) return;
    await api.update(CONFIGMAPS, CLUSTER_INFO.namespace, CLUSTER_INFO.name, { ...cur, data });
  }
}

/** Options of the join service. */
export interface NodeJoinOptions {
  nc: NatsConnection;
  subjects: Subjects;
  api: ApiService;
  credentials: NodeCredentials;
  now?: () => Date;
  log: Logger;
}

/**
 * Serve `<p>.join` (queue group `api-server`): a node with a bootstrap token discovers the
 * cluster (the signed cluster-info), then gets its `system:node:<name>` credential. Does, per
 * request: 1. the token against its Secret (format, secret, usage, expiration) — a refusal is a
 * 401 Unauthorized with the reason and nothing is written; 2. discover: the signed kubeconfig;
 * join: the name checked (400 Invalid), a node that already has a credential refused (409
 * AlreadyExists: a bootstrap token must not take over a joined node), then the credential issued.
 */
export function serveNodeJoin(o: NodeJoinOptions): Subscription {
  const now = o.now ?? (() => new Date());
  return o.nc.subscribe(o.subjects.join(), {
    queue: 'api-server',
    callback: (_err, msg) => {
      void (async () => {
        let reply: ApiReply;
        try {
          reply = { ok: true, body: await handle(o, decodeRequest(msg.data), now()) };
        } catch (e) {
          const err = e instanceof ApiError ? e : internalError((e as Error)?.message ?? String(e));
          if (!(e instanceof ApiError)) o.log.error({ err: e }, 'join failed');
          reply = { ok: false, status: err.toStatus() };
        }
        msg.respond(encodeJson(reply));
      })();
    },
  });
}

async function handle(o: NodeJoinOptions, req: JoinRequest, now: Date): Promise<JoinDiscovery | JoinCredential> {
  if (!req || typeof req !== 'object' || typeof req.token !== 'string') throw badRequest('a join request carries op and token');
  const t = parseBootstrapToken(req.token);
  const secret = t ? await getOrUndefined<Secret>(o.api, SECRETS, BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(t.id)) : undefined;
  const refusal = bootstrapTokenRefusal(req.token, secret, now);
  if (refusal) {
    o.log.warn({ op: req.op, tokenId: t?.id, reason: refusal }, 'join refused');
    throw new ApiError(401, 'Unauthorized', refusal);
  }
  if (req.op === 'discover') {
    const cm = await getOrUndefined<ConfigMap>(o.api, CONFIGMAPS, CLUSTER_INFO.namespace, CLUSTER_INFO.name);
    const kubeconfig = cm?.data?.kubeconfig;
    if (!kubeconfig) throw new ApiError(503, 'ServiceUnavailable', 'the cluster has no kube-public/cluster-info yet');
    return { kubeconfig, jws: signWithBootstrapToken(kubeconfig, req.token) };
  }
  if (req.op !== 'join') throw badRequest(`unknown join op ${JSON.stringify(req.op)}`);
  const name = req.nodeName ?? '';
  if (!NODE_NAME_RE.test(name) || name.length > 253) {
    throw new ApiError(422, 'Invalid', `Node "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
  }
  const user = `system:node:${name}`;
  if (o.credentials.has(user)) {
    throw new ApiError(409, 'AlreadyExists', `node "${name}" already has a credential: a node keeps it in its directory (kubelet.conf); to join again under this name, remove the line of ${user} from the api-server's token file`);
  }
  const token = o.credentials.issue(user, 'system:nodes');
  o.log.info({ node: name, tokenId: t!.id }, 'node joined with a bootstrap token');
  return { user, token };
}

function decodeRequest(data: Uint8Array): JoinRequest {
  try {
    return decodeJson<JoinRequest>(data);
  } catch (e) {
    throw badRequest(`error decoding the join request as JSON: ${(e as Error).message}`);
  }
}

async function getOrUndefined<T>(api: ApiService, res: typeof SECRETS, ns: string, name: string): Promise<T | undefined> {
  try {
    return (await api.get(res, ns, name)) as T;
  } catch (e) {
    if (isApiError(e, 404)) return undefined;
    throw e;
  }
}
