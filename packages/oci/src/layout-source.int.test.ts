import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHex, sha256Digest } from './digest.js';
import { ImagePullError } from './errors.js';
import { parseRegistryHosts } from './hosts.js';
import { ImageStore } from './image-store.js';
import { OCI_CONFIG, OCI_MANIFEST } from './media-types.js';
import { makeConfig, makeLayer } from './testing/images.js';
import { freePort } from './testing/registry.js';

let work: string;
let layout: string;
let layerDigest: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kjobs-oci-layout-'));
  layout = join(work, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = (data: Buffer): string => {
    const digest = sha256Digest(data);
    writeFileSync(join(layout, 'blobs', 'sha256', digestHex(digest)), data);
    return digest;
  };
  const layer = await makeLayer([{ name: 'kuard', body: '#!kuard', mode: 0o755 }]);
  const config = makeConfig([layer], { User: 'nobody:nobody', Cmd: ['/kuard'], ExposedPorts: { '8080/tcp': {} } });
  layerDigest = put(layer.data);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: put(config), size: config.length },
    layers: [{ mediaType: layer.mediaType, digest: layerDigest, size: layer.data.length }],
  }));
  const manifestDigest = put(manifest);
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: ['blue', 'green'].map((tag) => ({
      mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': `kuar-demo/kuard-amd64:${tag}` },
    })),
  }));
});
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

const hosts = (): ReturnType<typeof parseRegistryHosts> => parseRegistryHosts(`mirrors: { gcr.io: { endpoint: ["file://${layout}"] } }`);

describe('a file:// OCI layout endpoint', () => {
  it('serves an image by <repository>:<tag>', async () => {
    const { image } = await new ImageStore({ root: join(work, 'store-1'), hosts: hosts() }).pull('gcr.io/kuar-demo/kuard-amd64:blue');
    expect(image).toMatchObject({ name: 'gcr.io/kuar-demo/kuard-amd64:blue', config: { User: 'nobody:nobody', Cmd: ['/kuard'] } });
    expect(readFileSync(join(image.layers[0] as string, 'kuard'), 'utf8')).toBe('#!kuard');
  });

  it('verifies digests the same way', async () => {
    const blob = join(layout, 'blobs', 'sha256', digestHex(layerDigest));
    const original = readFileSync(blob);
    writeFileSync(blob, Buffer.from(original.map((b, i) => (i === original.length - 20 ? b ^ 0xff : b))));
    try {
      const err = await new ImageStore({ root: join(work, 'store-2'), hosts: hosts() }).pull('gcr.io/kuar-demo/kuard-amd64:green').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImagePullError);
      expect((err as Error).message).toMatch(`failed commit on ref "layer-${layerDigest}": unexpected commit digest`);
    } finally {
      writeFileSync(blob, original);
    }
  });

  it('falls through when the layout lacks the tag', async () => {
    const registry = `127.0.0.1:${await freePort()}`;
    const dead = parseRegistryHosts(`mirrors: { "${registry}": { endpoint: ["file://${layout}"] } }`);
    const err = await new ImageStore({ root: join(work, 'store-3'), hosts: dead }).pull(`${registry}/kuar-demo/kuard-amd64:red`).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`rpc error: code = Unknown desc = failed to pull and unpack image "${registry}/kuar-demo/kuard-amd64:red": `
      + `failed to resolve reference "${registry}/kuar-demo/kuard-amd64:red": failed to do request: GET "http://${registry}/v2/kuar-demo/kuard-amd64/manifests/red": ECONNREFUSED`);
  });
});
