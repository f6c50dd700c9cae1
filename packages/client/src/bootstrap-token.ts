import { createHash, createHmac, randomInt, timingSafeEqual, X509Certificate } from 'node:crypto';
import type { Secret } from '@kjobs/api';

/**
 * Node bootstrap tokens, as Kubernetes' (kubeadm, `bootstrap.kubernetes.io/token` Secrets):
 * `<token-id>.<token-secret>` (6 and 16 of [a-z0-9]), stored as the Secret
 * `kube-system/bootstrap-token-<token-id>` with `expiration` (RFC 3339) and the usages. Revoking
 * one is deleting that Secret. The discovery answer (the cluster-info kubeconfig) is signed with
 * the token as kubeadm's bootstrap signer does (a detached HS256 JWS), and the joining node pins
 * the cluster CA by the SHA-256 of its public key (`sha256:<hex>`, kubeadm's
 * `--discovery-token-ca-cert-hash`). Used by the CLI (`kjobs token`), the api-server (checks) and
 * the kubelet-agent (join).
 */
export const BOOTSTRAP_TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
/** The extra group kubeadm gives node bootstrap tokens (kjobs' spelling). */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:kjobs:default-node-token';

/** The Secret name of a token id. */
export const bootstrapTokenSecretName = (id: string): string => `bootstrap-token-${id}`;

/** A fresh random token (`abcdef.0123456789abcdef`). */
export function generateBootstrapToken(): string {
  const pick = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)]).join('');
  return `${pick(6)}.${pick(16)}`;
}

/** `{ id, secret }` of a token, or undefined when it is not of the token format. */
export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = BOOTSTRAP_TOKEN_RE.exec(token.trim());
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** The Secret that stores a token (`ttlMs` 0: never expires). */
export function bootstrapTokenSecret(token: string, o: { ttlMs: number; now: Date; description?: string }): Secret {
  const t = parseBootstrapToken(token);
  if (!t) throw new Error('a bootstrap token is [a-z0-9]{6}.[a-z0-9]{16}');
  const data: Record<string, string> = {
    'token-id': t.id,
    'token-secret': t.secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': DEFAULT_NODE_TOKEN_GROUP,
    ...(o.ttlMs > 0 ? { expiration: new Date(o.now.getTime() + o.ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    ...(o.description ? { description: o.description } : {}),
  };
  return {
    apiVersion: 'v1', kind: 'Secret', type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    metadata: { name: bootstrapTokenSecretName(t.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as Secret;
}

/** A token Secret's fields, decoded. */
export function bootstrapTokenFields(s: Secret): Record<string, string> {
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/**
 * Why `token` does not authenticate against its Secret (undefined: it does). The reasons are the
 * ones a joining node prints, so they say what to do.
 */
export function bootstrapTokenRefusal(token: string, s: Secret | undefined, now: Date): string | undefined {
  const t = parseBootstrapToken(token);
  if (!t) return 'the bootstrap token is not of the form [a-z0-9]{6}.[a-z0-9]{16}';
  if (!s || s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return `bootstrap token "${t.id}" not found (deleted, or never created: kjobs token create)`;
  const f = bootstrapTokenFields(s);
  const a = Buffer.from(f['token-secret'] ?? ''), b = Buffer.from(t.secret);
  if (f['token-id'] !== t.id || a.length !== b.length || !timingSafeEqual(a, b)) return `bootstrap token "${t.id}" has a wrong secret`;
  if (f['usage-bootstrap-authentication'] !== 'true') return `bootstrap token "${t.id}" is not usable for authentication`;
  const exp = f.expiration ? Date.parse(f.expiration) : NaN;
  if (f.expiration && (Number.isNaN(exp) || exp <= now.getTime())) return `bootstrap token "${t.id}" expired at ${f.expiration}`;
  return undefined;
}

/** kubeadm's CA pin: `sha256:` and the hex SHA-256 of the certificate's Subject Public Key Info (DER). */
export function caCertHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A detached compact JWS (HS256, key = the whole token, kid = token id) over `payload`, as kubeadm's bootstrap signer makes. */
export function signWithBootstrapToken(payload: string, token: string): string {
  const t = parseBootstrapToken(token);
  if (!t) throw new Error('not a bootstrap token');
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: t.id }));
  const sig = createHmac('sha256', `${t.id}.${t.secret}`).update(`${header}.${b64url(payload)}`).digest();
  return `${header}..${b64url(sig)}`;
}

/** True when `jws` is `payload` signed with `token` (constant-time). */
export function verifyBootstrapSignature(payload: string, jws: string, token: string): boolean {
  let want: Buffer;
  try {
    want = Buffer.from(signWithBootstrapToken(payload, token));
  } catch {
    return false;
  }
  const got = Buffer.from(jws);
  return got.length === want.length && timingSafeEqual(got, want);
}
