import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '@kjobs/api';
import { decodeJson, encodeJson, type ApiReply, type JoinCredential, type JoinDiscovery, type JoinRequest, type NatsConnection, type Subjects } from '@kjobs/bus';
import { caCertHash, parseBootstrapToken, verifyBootstrapSignature } from '@kjobs/client';
import { writeFileAtomically } from '@kjobs/observe';
import type { Logger } from 'pino';

/** Options of a join (kubeadm join's discovery and TLS bootstrap, over the bus). */
export interface JoinOptions {
  nc: NatsConnection;
  subjects: Subjects;
  nodeName: string;
  /** The bootstrap token `<id>.<secret>` (KJOBS_JOIN_TOKEN). */
  token: string;
  /** The pinned CA, `sha256:<hex>` (KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH); required unless `unsafeSkipCaVerification`. */
  caCertHash?: string;
  unsafeSkipCaVerification?: boolean;
  /** Where the node's credential is kept: `<node dir>/kubelet.conf`. */
  confFile: string;
  log: Logger;
  timeoutMs?: number;
}

/** A join that cannot go on; the message says why and what to do. Nothing was written. */
export class JoinError extends Error {
  override name = 'JoinError';
  /** True when no api-server answered (worth retrying); false when the cluster refused. */
  constructor(message: string, readonly retryable = false) {
    super(message);
  }
}

/** The node's credential file (a kubeconfig, as the kubelet's kubelet.conf). */
export function kubeletConfPath(nodeDir: string): string {
  return path.join(nodeDir, 'kubelet.conf');
}

/** The bearer token in a kubelet.conf written by `joinCluster`, or undefined when there is none. */
export function readKubeletConfToken(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const conf = JSON.parse(readFileSync(file, 'utf8')) as { users?: { user?: { token?: string } }[] };
  return conf.users?.[0]?.user?.token || undefined;
}

/**
 * Join the cluster with a bootstrap token and return the node's API token. Does: 1. the token's
 * format; 2. discovery: the cluster-info kubeconfig, whose JWS must verify with the token (only
 * the cluster that holds the token can sign it) and whose CA must match the pinned hash;
 * 3. the node's credential (`system:node:<name>`); 4. kubelet.conf (CA, server, token; mode
 * 0600) so a restarted agent never needs the bootstrap token again. Any refusal throws a
 * JoinError before anything is written on the node.
 */
export async function joinCluster(o: JoinOptions): Promise<string> {
  if (!parseBootstrapToken(o.token)) throw new JoinError('KJOBS_JOIN_TOKEN is not a bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}; kjobs token create makes one)');
  if (!o.caCertHash && !o.unsafeSkipCaVerification) {
    throw new JoinError('joining needs the cluster CA\'s hash (KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH=sha256:…, printed by kjobs token create --print-join-command) or KJOBS_DISCOVERY_TOKEN_UNSAFE_SKIP_CA_VERIFICATION=true');
  }
  const discovery = await call<JoinDiscovery>(o, { op: 'discover', token: o.token });
  if (!verifyBootstrapSignature(discovery.kubeconfig, discovery.jws, o.token)) {
    throw new JoinError('the cluster-info answer is not signed with this bootstrap token: refusing to trust that cluster');
  }
  const cluster = (JSON.parse(discovery.kubeconfig) as { clusters?: { cluster?: Record<string, string> }[] }).clusters?.[0]?.cluster ?? {};
  const caPem = cluster['certificate-authority-data'] ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8') : undefined;
  if (o.caCertHash) {
    if (!caPem) throw new JoinError('the cluster serves no CA (plain HTTP), so a CA hash cannot match: use KJOBS_DISCOVERY_TOKEN_UNSAFE_SKIP_CA_VERIFICATION=true');
    const got = caCertHash(caPem);
    if (got !== o.caCertHash.trim().toLowerCase()) throw new JoinError(`the cluster CA's hash is ${got}, not the pinned ${o.caCertHash}: refusing to join`);
  }
  const cred = await call<JoinCredential>(o, { op: 'join', token: o.token, nodeName: o.nodeName });
  const conf = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'kjobs', preferences: {},
    clusters: [{ name: 'kjobs', cluster }],
    users: [{ name: cred.user, user: { token: cred.token } }],
    contexts: [{ name: 'kjobs', context: { cluster: 'kjobs', user: cred.user } }],
  };
  writeFileAtomically(o.confFile, JSON.stringify(conf, null, 2), 0o600);
  o.log.info({ user: cred.user, server: cluster.server, confFile: o.confFile }, 'joined the cluster');
  return cred.token;
}

async function call<T>(o: JoinOptions, req: JoinRequest): Promise<T> {
  let reply: ApiReply;
  try {
    reply = decodeJson<ApiReply>((await o.nc.request(o.subjects.join(), encodeJson(req), { timeout: o.timeoutMs ?? 10_000 })).data);
  } catch (e) {
    throw new JoinError(`no api-server answered the join (${(e as Error).message}): is NATS_URL the cluster's?`, true);
  }
  if (!reply.ok) {
    const err = ApiError.fromStatus(reply.status);
    throw new JoinError(`join refused: ${err.message} (${err.code} ${err.reason})`);
  }
  return reply.body as T;
}
