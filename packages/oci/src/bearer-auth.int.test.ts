// The anonymous bearer-token flow against a real docker-registry configured with token auth
// (`auth.token` with a self-signed root certificate); the test plays the token server, signing
// RS256 JWTs whose x5c header carries that certificate.
import { execFileSync } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { X509Certificate, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBearerChallenge } from './auth.js';
import { ImageStore } from './image-store.js';
import { pushImage } from './registry-client.js';
import { makeConfig, makeLayer } from './testing/images.js';
import { freePort, startRegistry, type TestRegistry } from './testing/registry.js';

const SERVICE = 'kjobs-test-registry';
const ISSUER = 'kjobs-test-issuer';
let work: string;
let registry: TestRegistry;
let tokenServer: Server;
const tokenRequests: string[] = [];

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kjobs-oci-auth-'));
  const [keyFile, certFile] = [join(work, 'key.pem'), join(work, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=kjobs-token'], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyFile));
  const x5c = new X509Certificate(readFileSync(certFile)).raw.toString('base64');

  const port = await freePort();
  tokenServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope') ?? '';
    tokenRequests.push(scope);
    const [type, name, actions] = scope.split(':');
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [x5c] }));
    const claims = b64url(JSON.stringify({
      iss: ISSUER, sub: '', aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(),
      access: type === 'repository' && name?.startsWith('kjobs/') ? [{ type, name, actions: (actions ?? '').split(',') }] : [],
    }));
    const token = `${header}.${claims}.${b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key))}`;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(port, '127.0.0.1', resolve));
  registry = await startRegistry(['auth:', '  token:', `    realm: http://127.0.0.1:${port}/token`, `    service: ${SERVICE}`,
    `    issuer: ${ISSUER}`, `    rootcertbundle: ${certFile}`].join('\n'));
});
afterAll(async () => {
  await registry?.stop();
  await new Promise((resolve) => tokenServer?.close(resolve));
  await rm(work, { recursive: true, force: true });
});

describe('bearer-token flow against a token-auth docker-registry', () => {
  it('challenges anonymous requests', async () => {
    const res = await fetch(`${registry.url}/v2/kjobs/private/manifests/v1`);
    expect(res.status).toBe(401);
    expect(parseBearerChallenge(res.headers.get('www-authenticate'))).toEqual({
      realm: expect.stringMatching(/\/token$/), service: SERVICE, scope: 'repository:kjobs/private:pull',
    });
  });

  it('pushes with a pull,push token and pulls with a cached pull token', async () => {
    const layer = await makeLayer([{ name: 'secret', body: 's3cret' }]);
    tokenRequests.length = 0;
    const { manifestDigest } = await pushImage(registry.url, 'kjobs/private', 'v1', { config: makeConfig([layer]), layers: [layer] });
    expect(tokenRequests).toEqual(['repository:kjobs/private:pull,push']);

    tokenRequests.length = 0;
    const requests: string[] = [];
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = new URL(String(input));
      if (url.pathname.startsWith('/v2/')) requests.push(`${res.status} ${url.pathname.split('/').slice(-2).join('/')}`);
      return res;
    };
    const store = new ImageStore({ root: join(work, 'store'), fetch: counting });
    const host = new URL(registry.url).host;
    const { image } = await store.pull(`${host}/kjobs/private:v1`);
    expect(image.repoDigest).toBe(`${host}/kjobs/private@${manifestDigest}`);
    expect(readFileSync(join(image.layers[0] as string, 'secret'), 'utf8')).toBe('s3cret');
    expect(tokenRequests).toEqual(['repository:kjobs/private:pull']);
    expect(requests).toEqual(['401 manifests/v1', '200 manifests/v1', expect.stringMatching(/^200 blobs\//), expect.stringMatching(/^200 blobs\//)]);
  });

  it('reads blobs through node:http with the cached pull token (no 401 on a blob)', async () => {
    const layer = await makeLayer([{ name: 'fast', body: 'through node:http' }]);
    await pushImage(registry.url, 'kjobs/fast', 'v1', { config: makeConfig([layer]), layers: [layer] });
    tokenRequests.length = 0;
    const blobAnswers: number[] = [];
    const onResponse = (message: unknown): void => {
      const { request, response } = message as { request: { path: string }; response: { statusCode: number } };
      if (request.path.includes('/blobs/')) blobAnswers.push(response.statusCode);
    };
    diagnostics_channel.subscribe('http.client.response.finish', onResponse);
    try {
      const { image } = await new ImageStore({ root: join(work, 'store-fast') }).pull(`${new URL(registry.url).host}/kjobs/fast:v1`);
      expect(readFileSync(join(image.layers[0] as string, 'fast'), 'utf8')).toBe('through node:http');
    } finally {
      diagnostics_channel.unsubscribe('http.client.response.finish', onResponse);
    }
    expect(tokenRequests).toEqual(['repository:kjobs/fast:pull']);
    expect(blobAnswers).toEqual([200, 200]); // the config and the layer, each asked once, with the token
  });

  it('reports a refused scope', async () => {
    const err = await new ImageStore({ root: join(work, 'store-2') }).pull(`${new URL(registry.url).host}/other/x:v1`).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/failed to resolve reference .*: unexpected status from GET request to .*\/v2\/other\/x\/manifests\/v1: 401 Unauthorized \(UNAUTHORIZED\)$/);
  });
});
