// Pulls with credentials against a real docker-registry behind htpasswd (Basic) auth: anonymous
// and wrong-password pulls fail with the registry's 401, the right user and password pull, and
// credentials are tried in order as the kubelet tries a pod's pull secrets.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBasicChallenge } from './auth.js';
import { ImageStore } from './image-store.js';
import { pushImage } from './registry-client.js';
import { makeConfig, makeLayer } from './testing/images.js';
import { startRegistry, type TestRegistry } from './testing/registry.js';

let work: string;
let registry: TestRegistry;
let host: string;
const RIGHT = { username: 'puller', password: 'right-pass' };
const WRONG = { username: 'puller', password: 'wrong-pass' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kjobs-oci-basic-'));
  const htpasswd = join(work, 'htpasswd');
  // htpasswd (apache2-utils) makes the bcrypt entries docker-registry requires.
  writeFileSync(htpasswd, execFileSync('htpasswd', ['-nbB', RIGHT.username, RIGHT.password]));
  registry = await startRegistry(['auth:', '  htpasswd:', '    realm: kjobs-test', `    path: ${htpasswd}`].join('\n'));
  host = new URL(registry.url).host;
  const layer = await makeLayer([{ name: 'secret', body: 'private-bits' }]);
  await pushImage(registry.url, 'kjobs/private', 'v1', { config: makeConfig([layer]), layers: [layer] }, { credentials: RIGHT });
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('Basic auth (htpasswd) registry', () => {
  it('challenges with Basic', async () => {
    const res = await fetch(`${registry.url}/v2/kjobs/private/manifests/v1`);
    expect(res.status).toBe(401);
    expect(isBasicChallenge(res.headers.get('www-authenticate'))).toBe(true);
  });

  it('refuses an anonymous pull and a wrong password with the registry\'s 401', async () => {
    const store = new ImageStore({ root: join(work, 'store-a') });
    const anon = await store.pull(`${host}/kjobs/private:v1`).then(() => new Error('pulled'), (e: unknown) => e as Error);
    expect(anon.message).toMatch(/401 Unauthorized \(UNAUTHORIZED\)$/);
    const wrong = await store.pull(`${host}/kjobs/private:v1`, { credentials: [WRONG] }).then(() => new Error('pulled'), (e: unknown) => e as Error);
    expect(wrong.message).toMatch(/^rpc error: code = Unknown desc = failed to pull and unpack image ".*kjobs\/private:v1": failed to resolve reference .*: unexpected status from GET request to .*\/v2\/kjobs\/private\/manifests\/v1: 401 Unauthorized \(UNAUTHORIZED\)$/);
  });

  it('pulls with the right user and password, trying credentials in order', async () => {
    const store = new ImageStore({ root: join(work, 'store-b') });
    const { image } = await store.pull(`${host}/kjobs/private:v1`, { credentials: [WRONG, RIGHT] });
    expect(readFileSync(join(image.layers[0] as string, 'secret'), 'utf8')).toBe('private-bits');
  });
});
