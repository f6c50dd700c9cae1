import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Identity } from './auth.js';

/**
 * Parse a Kubernetes static token file (`--token-auth-file`): one `token,user,uid,"group1,group2"`
 * per line; blank lines and `#` comments are skipped.
 */
export function parseTokenFile(text: string): Map<string, Identity> {
  const out = new Map<string, Identity>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([^,]+),([^,]+)(?:,([^,]*))?(?:,"?([^"]*)"?)?$/.exec(line);
    if (!m) throw new Error(`token file: cannot parse line: ${line.slice(0, 20)}…`);
    out.set(m[1]!, { user: m[2]!, groups: m[4] ? m[4].split(',').map((g) => g.trim()).filter(Boolean) : [] });
  }
  return out;
}

/** Read a token file from disk. */
export function readTokenFile(file: string): Map<string, Identity> {
  return parseTokenFile(readFileSync(file, 'utf8'));
}

/** Issues identities into the token file (nodes joining with a bootstrap token). */
export interface NodeCredentials {
  /** Whether `user` has a token already. */
  has(user: string): boolean;
  /** A new token for `user` in `group`, written before it is returned. */
  issue(user: string, group: string): string;
}

/**
 * NodeCredentials over a token file: a new line is appended (one O_APPEND write, mode 0600);
 * the authenticator reads the file again when it meets the new token.
 */
export function tokenFileCredentials(file: string): NodeCredentials {
  return {
    has: (user) => existsSync(file) && [...readTokenFile(file).values()].some((id) => id.user === user),
    issue: (user, group) => {
      const token = randomBytes(24).toString('hex');
      appendFileSync(file, `${token},${user},${user},"${group}"\n`, { mode: 0o600 });
      return token;
    },
  };
}
