import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { MANIFEST_ACCEPT, OCI_MANIFEST } from './media-types.js';
import { pushImage } from './registry-client.js';
import { makeConfig, makeLayer } from './test-images.js';
import { startRegistry, type TestRegistry } from './test-registry.js';

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
});
