import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { MANIFEST_ACCEPT, OCI_MANIFEST } from './media-types.js';
import { RegistryClient, pushImage } from './registry-client.js';
import { makeConfig, makeLayer } from './testing/images.js';
import { freePort, startRegistry, type TestRegistry } from './testing/registry.js';

let registry: TestRegistry;
beforeAll(async () => { registry = await startRegistry(); });
afterAll(async () => { await registry?.stop(); });

describe('pushImage against docker-registry', () => {
  it('pushes an OCI manifest and its blobs, then skips blobs the registry has', async () => {
    const layer = await makeLayer([{ name: 'hello.txt', body: 'hi\n' }]);
    const config = makeConfig([layer]);
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const first = await pushImage(registry.url, 'kjobs/hello', 'v1', { config, layers: [layer] }, { fetch: counting });
    expect(first.manifestDigest).toBe(sha256Digest(first.manifest));
    expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(2);

    const res = await fetch(`${registry.url}/v2/kjobs/hello/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(OCI_MANIFEST);
    expect(sha256Digest(Buffer.from(await res.arrayBuffer()))).toBe(first.manifestDigest);
    const blob = await fetch(`${registry.url}/v2/kjobs/hello/blobs/${sha256Digest(layer.data)}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(layer.data)).toBe(true);

    requests.length = 0;
    const again = await pushImage(registry.url, 'kjobs/hello', 'v2', { config, layers: [layer] }, { fetch: counting });
    expect(again.manifestDigest).toBe(first.manifestDigest);
    expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(0);
    expect(requests.filter((r) => r.startsWith('HEAD'))).toHaveLength(2);
  });

  it('reports a registry error with the status', async () => {
    await expect(pushImage(registry.url, 'Bad/Name', 'v1', { config: Buffer.from('{}'), layers: [] })).rejects.toThrow(/invalid repository name/);
  });

  it('follows redirects (as registries do to blob storage)', async () => {
    const layer = await makeLayer([{ name: 'r', body: 'redirected' }]);
    const { manifestDigest } = await pushImage(registry.url, 'kjobs/redirect', 'v1', { config: makeConfig([layer]), layers: [layer] });
    const port = await freePort();
    const front = createServer((req, res) => { res.writeHead(307, { location: `${registry.url}${req.url}` }).end(); });
    await new Promise<void>((resolve) => front.listen(port, '127.0.0.1', resolve));
    try {
      const client = new RegistryClient(`http://127.0.0.1:${port}`);
      expect((await client.getManifest('kjobs/redirect', 'v1')).digest).toBe(manifestDigest);
      const chunks: Buffer[] = [];
      for await (const c of await client.openBlob('kjobs/redirect', sha256Digest(layer.data))) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(layer.data)).toBe(true);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });
});
