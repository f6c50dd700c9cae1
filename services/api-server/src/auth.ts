import { timingSafeEqual } from 'node:crypto';

/** Who made a request. */
export interface Identity {
  user: string;
  groups: string[];
}

/** Options of the token authenticator. */
export interface AuthOptions {
  /** Bearer token → identity. */
  tokens: Map<string, Identity>;
  /** Let requests without a token through as `system:anonymous` (tests and explicit opt-in only). */
  allowAnonymous?: boolean;
  /**
   * Re-read the tokens (e.g. the token file) when an unknown token arrives, at most once a second,
   * so identities added while the server runs (a new node) work without a restart.
   */
  reload?: () => Map<string, Identity>;
}

export const ANONYMOUS: Identity = { user: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Bearer-token authentication: constant-time comparison, one map lookup per request. */
export class Authenticator {
  private entries: { token: Buffer; id: Identity }[];
  private lastReload = Date.now();
  constructor(private readonly opts: AuthOptions) {
    this.entries = [...opts.tokens].map(([token, id]) => ({ token: Buffer.from(token), id }));
  }

  /** The identity behind an Authorization header value or raw token; undefined when refused. */
  authenticate(authorization: string | undefined): Identity | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const raw = m ? m[1]! : undefined;
    if (!raw) return this.opts.allowAnonymous ? ANONYMOUS : undefined;
    const given = Buffer.from(raw);
    const found = this.find(given);
    if (found || !this.opts.reload || Date.now() - this.lastReload < 1000) return found;
    this.lastReload = Date.now();
    try {
      this.entries = [...this.opts.reload()].map(([token, id]) => ({ token: Buffer.from(token), id }));
    } catch {
      return undefined;
    }
    return this.find(given);
  }

  private find(given: Buffer): Identity | undefined {
    for (const e of this.entries) {
      if (e.token.length === given.length && timingSafeEqual(e.token, given)) return e.id;
    }
    return undefined;
  }
}
