import { gone } from '@kjobs/api';

/** What a list continue token carries (base64url JSON, version 1). */
export interface ContinueToken {
  v: 1;
  /** The first page's revision: every later page reports it as the list's resourceVersion. */
  rv: string;
  /** The last member ("<ns>/<name>") already examined; the next page starts after it. */
  after: string;
}

/** Kubernetes' message for a continue token older than the kept history. */
export const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

/** Encode a continue token. */
export function encodeContinue(rv: string, after: string): string {
  const t: ContinueToken = { v: 1, rv, after };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

/**
 * Decode a continue token; throws 410 Expired when it is malformed or its revision is below
 * `floor` (the store restarted since the first page: the pages would not join into one list).
 */
export function decodeContinue(token: string, floor: bigint): ContinueToken {
  let t: unknown;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    t = undefined;
  }
  const ok =
    typeof t === 'object' && t !== null &&
    (t as ContinueToken).v === 1 &&
    typeof (t as ContinueToken).rv === 'string' && /^\d{1,19}$/.test((t as ContinueToken).rv) &&
    typeof (t as ContinueToken).after === 'string';
  if (!ok) throw gone('invalid continue token: the token is malformed; start a new list without the continue parameter');
  const tok = t as ContinueToken;
  if (BigInt(tok.rv) < floor) throw gone(CONTINUE_TOO_OLD);
  return tok;
}
