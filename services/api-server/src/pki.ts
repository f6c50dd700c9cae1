import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import { createDirOnce } from './create-once.js';

/** The api-server's TLS material. */
export interface Pki {
  caCert: string;
  cert: string;
  key: string;
}

/** Host names and IPs the serving certificate covers (loopback and the compose service name). */
export const DEFAULT_SANS = ['localhost', 'api-server', 'kjobs-api-server', '127.0.0.1', '::1'];

/**
 * Load the CA and serving certificate from `dir`, generating them on first start: a CA
 * (`ca.crt`/`ca.key`) valid for 10 years and a serving certificate signed by it for `sans`.
 * Private keys are written 0600. Several api-servers sharing `dir` may start at once: each makes
 * its own set in a temporary directory and the first to rename it into place wins; the others
 * load the winner's, so all of them serve the same certificate.
 */
export async function loadOrCreatePki(dir: string, sans: string[] = DEFAULT_SANS): Promise<Pki> {
  const f = (n: string) => path.join(dir, n);
  const load = () => ({ caCert: readFileSync(f('ca.crt'), 'utf8'), cert: readFileSync(f('apiserver.crt'), 'utf8'), key: readFileSync(f('apiserver.key'), 'utf8') });
  if (existsSync(f('ca.crt')) && existsSync(f('apiserver.crt')) && existsSync(f('apiserver.key'))) return load();
  const made = await makePki(sans);
  const files = (d: string) => {
    writeFileSync(path.join(d, 'ca.crt'), made.caCert);
    writeFileSync(path.join(d, 'ca.key'), made.caKey, { mode: 0o600 });
    writeFileSync(path.join(d, 'apiserver.crt'), made.cert);
    writeFileSync(path.join(d, 'apiserver.key'), made.key, { mode: 0o600 });
  };
  if (createDirOnce(dir, files)) return load();
  // Another api-server's set is in place — or a directory of an older start that lacks one of the files.
  if (existsSync(f('ca.crt')) && existsSync(f('apiserver.crt')) && existsSync(f('apiserver.key'))) return load();
  files(dir);
  return load();
}

/** A new CA and a serving certificate signed by it for `sans`. */
async function makePki(sans: string[]): Promise<Pki & { caKey: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const tenYears = new Date(notBeforeDate.getTime() + 10 * 365 * 86400_000);
  const ca = await generate([{ name: 'commonName', value: 'kjobs-ca' }], {
    keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate: tenYears,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }],
  });
  const altNames = sans.map((s) => (/^[\d.]+$|:/.test(s) ? { type: 7 as const, ip: s } : { type: 2 as const, value: s }));
  const server = await generate([{ name: 'commonName', value: 'kjobs-api-server' }], {
    keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate: tenYears,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { caCert: ca.cert, caKey: ca.private, cert: server.cert, key: server.private };
}
