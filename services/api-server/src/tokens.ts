import { readFileSync } from 'node:fs';
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
