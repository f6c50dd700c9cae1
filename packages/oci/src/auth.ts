// The anonymous bearer-token flow of the Docker registry token spec: a 401 carries
// `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`; GET the realm with service and scope,
// take `token` (or `access_token`) and retry with `Authorization: Bearer`.

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

  /** A cached, unexpired token for this challenge and scope, or undefined. */
  cached(challenge: BearerChallenge, scope: string): string | undefined {
    const hit = this.tokens.get(cacheKey(challenge, scope));
    return hit && hit.expiresAt > this.now() ? hit.token : undefined;
  }

  /** A token for the scope: the cached one, else one fetched from the realm (one fetch for concurrent callers). */
  async token(challenge: BearerChallenge, scope: string, signal?: AbortSignal): Promise<string> {
    const hit = this.cached(challenge, scope);
    if (hit) return hit;
    const key = cacheKey(challenge, scope);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.fetchToken(challenge, scope, signal).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async fetchToken(challenge: BearerChallenge, scope: string, signal?: AbortSignal): Promise<string> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    const res = await this.fetchFn(url, { signal });
    if (!res.ok) throw new Error(`failed to fetch anonymous token: unexpected status from GET request to ${url}: ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`failed to fetch anonymous token: no token in the answer from ${url}`);
    // The spec's default lifetime is 60 s; renew 5 s early so a request never carries an expired token.
    const issued = body.issued_at ? Date.parse(body.issued_at) : NaN;
    const start = Number.isFinite(issued) ? Math.min(issued, this.now()) : this.now();
    this.tokens.set(cacheKey(challenge, scope), { token, expiresAt: start + ((body.expires_in ?? 60) - 5) * 1000 });
    return token;
  }
}

function cacheKey(c: BearerChallenge, scope: string): string {
  return `${c.realm}\n${c.service ?? ''}\n${scope}`;
}
