import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

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
 * Private keys are written 0600.
 */
export async function loadOrCreatePki(dir: string, sans: string[] = DEFAULT_SANS): Promise<Pki> {
  const f = (n: string) => path.join(dir, n);
  if (existsSync(f('ca.crt')) && existsSync(f('apiserver.crt')) && existsSync(f('apiserver.key'))) {
    return { caCert: readFileSync(f('ca.crt'), 'utf8'), cert: readFileSync(f('apiserver.crt'), 'utf8'), key: readFileSync(f('apiserver.key'), 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
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
  writeFileSync(f('ca.crt'), ca.cert);
  writeFileSync(f('ca.key'), ca.private, { mode: 0o600 });
  writeFileSync(f('apiserver.crt'), server.cert);
  writeFileSync(f('apiserver.key'), server.private, { mode: 0o600 });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
