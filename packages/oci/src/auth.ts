// The bearer-token flow of the Docker registry token spec: a 401 carries
// `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`; GET the realm with service and scope
// (anonymously, or with the pull secret's user and password as HTTP basic auth), take `token` (or
// `access_token`) and retry with `Authorization: Bearer`. A registry that answers
// `WWW-Authenticate: Basic` (htpasswd) gets the user and password on every request instead.

/** A user and password for one registry (from a `kubernetes.io/dockerconfigjson` pull secret). */
export interface RegistryCredentials { username: string; password: string }

/** `Basic base64(user:password)`. */
export function basicAuthorization(c: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Is this `WWW-Authenticate` header a Basic challenge? */
export function isBasicChallenge(header: string | null): boolean {
  return header !== null && /^\s*basic(\s|$)/i.test(header);
}

/** The parameters of a `Bearer` challenge. */
export interface BearerChallenge { realm: string; service?: string; scope?: string }

/** Parses a `WWW-Authenticate` header; undefined when it is not a Bearer challenge with a realm. */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  if (!header || !/^\s*bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.replace(/^\s*bearer\s+/i, '').matchAll(/([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[(m[1] ?? '').toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  if (!params.realm) return undefined;
  return { realm: params.realm, service: params.service, scope: params.scope };
}

interface CachedToken { token: string; expiresAt: number }

/** Tokens fetched so far, per realm+service+scope, each kept until shortly before it expires. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly fetchFn: typeof fetch = fetch, private readonly now: () => number = Date.now) {}

  /** A cached, unexpired token for this challenge and scope (and user), or undefined. */
  cached(challenge: BearerChallenge, scope: string, credentials?: RegistryCredentials): string | undefined {
    const hit = this.tokens.get(cacheKey(challenge, scope, credentials));
    return hit && hit.expiresAt > this.now() ? hit.token : undefined;
  }

  /**
   * A token for the scope: the cached one, else one fetched from the realm (one fetch for
   * concurrent callers). Tokens got with credentials are kept apart per user, never handed to an
   * anonymous caller.
   */
  async token(challenge: BearerChallenge, scope: string, signal?: AbortSignal, credentials?: RegistryCredentials): Promise<string> {
    const hit = this.cached(challenge, scope, credentials);
    if (hit) return hit;
    const key = cacheKey(challenge, scope, credentials);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.fetchToken(challenge, scope, signal, credentials).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async fetchToken(challenge: BearerChallenge, scope: string, signal?: AbortSignal, credentials?: RegistryCredentials): Promise<string> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    // containerd's wording: "anonymous token" without credentials, "oauth token" with them.
    const what = credentials ? 'failed to fetch oauth token' : 'failed to fetch anonymous token';
    const res = await this.fetchFn(url, { signal, ...(credentials ? { headers: { authorization: basicAuthorization(credentials) } } : {}) });
    if (!res.ok) throw new Error(`${what}: unexpected status from GET request to ${url}: ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`${what}: no token in the answer from ${url}`);
    // The spec's default lifetime is 60 s; renew 5 s early so a request never carries an expired token.
    const issued = body.issued_at ? Date.parse(body.issued_at) : NaN;
    const start = Number.isFinite(issued) ? Math.min(issued, this.now()) : this.now();
    this.tokens.set(cacheKey(challenge, scope, credentials), { token, expiresAt: start + ((body.expires_in ?? 60) - 5) * 1000 });
    return token;
  }
}

function cacheKey(c: BearerChallenge, scope: string, credentials?: RegistryCredentials): string {
  return `${c.realm}\n${c.service ?? ''}\n${scope}${credentials ? `\n${credentials.username}\n${credentials.password}` : ''}`;
}
