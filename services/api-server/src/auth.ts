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
}

export const ANONYMOUS: Identity = { user: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Bearer-token authentication: constant-time comparison, one map lookup per request. */
export class Authenticator {
  private readonly entries: { token: Buffer; id: Identity }[];
  constructor(private readonly opts: AuthOptions) {
    this.entries = [...opts.tokens].map(([token, id]) => ({ token: Buffer.from(token), id }));
  }

  /** The identity behind an Authorization header value or raw token; undefined when refused. */
  authenticate(authorization: string | undefined): Identity | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const raw = m ? m[1]! : undefined;
    if (!raw) return this.opts.allowAnonymous ? ANONYMOUS : undefined;
    const given = Buffer.from(raw);
    for (const e of this.entries) {
      if (e.token.length === given.length && timingSafeEqual(e.token, given)) return e.id;
    }
    return undefined;
  }
}
