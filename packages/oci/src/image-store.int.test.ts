import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHex, sha256Digest } from './digest.js';
import { ImagePullError } from './errors.js';
import { parseRegistryHosts } from './hosts.js';
import { ImageStore } from './image-store.js';
import { OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from './media-types.js';
import { RegistryClient, pushImage } from './registry-client.js';
import { makeConfig, makeLayer, makeTar, type TarEntry } from './testing/images.js';
import { freePort, startRegistry, type TestRegistry } from './testing/registry.js';

let registry: TestRegistry;
let empty: TestRegistry;
let work: string;
let host: string;
beforeAll(async () => {
  [registry, empty] = await Promise.all([startRegistry(), startRegistry()]);
  work = await mkdtemp(join(tmpdir(), 'kjobs-oci-store-'));
  host = new URL(registry.url).host;
});
afterAll(async () => {
  await Promise.all([registry?.stop(), empty?.stop(), rm(work, { recursive: true, force: true })]);
});

let stores = 0;
const newRoot = (): string => join(work, `store-${++stores}`);
const counting = (log: string[]): typeof fetch => (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  log.push(`${init?.method ?? 'GET'} ${url.host}${url.pathname}`);
  return fetch(input, init);
};

const base = [
  { name: 'bin/', type: 'directory' }, { name: 'bin/busybox', body: 'BB', mode: 0o755 },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  { name: 'etc/motd', body: 'welcome\n' }, { name: 'etc/gone', body: 'lower\n' },
  { name: 'var/cache/old', body: 'old' },
] satisfies TarEntry[];
const top = [
  { name: './etc/.wh.gone' }, { name: 'var/cache/.wh..wh..opq' }, { name: 'var/cache/new', body: 'new' },
  { name: 'etc/motd', body: 'top\n' }, { name: 'etc/hard', type: 'link', linkname: './etc/motd' },
] satisfies TarEntry[];

async function push(repository: string, tag: string, layersEntries: TarEntry[][], config: object = { Cmd: ['/bin/sh'] }): Promise<{ manifestDigest: string; configDigest: string; layerDigests: string[] }> {
  const layers = await Promise.all(layersEntries.map((e) => makeLayer(e)));
  const cfg = makeConfig(layers, config);
  const { manifestDigest } = await pushImage(registry.url, repository, tag, { config: cfg, layers });
  return { manifestDigest, configDigest: sha256Digest(cfg), layerDigests: layers.map((l) => sha256Digest(l.data)) };
}

describe('ImageStore against docker-registry', () => {
  it('pulls through a docker.io mirror, unpacks whiteouts and opaque dirs that overlayfs understands', async () => {
    const pushed = await push('library/busybox', 'latest', [base, top], { Cmd: ['/bin/sh'], User: '65534', ExposedPorts: { '8080/tcp': {} } });
    const store = new ImageStore({ root: newRoot(), hosts: parseRegistryHosts(`mirrors: { docker.io: { endpoint: ["${registry.url}"] } }`) });
    const { image } = await store.pull('busybox');
    expect(image).toMatchObject({
      name: 'docker.io/library/busybox:latest', id: pushed.configDigest,
      repoDigest: `docker.io/library/busybox@${pushed.manifestDigest}`, config: { Cmd: ['/bin/sh'], User: '65534' },
    });
    const [lower, upper] = image.layers as [string, string];
    expect(image.layers).toEqual(pushed.layerDigests.map((d) => join(store['paths'].layers, digestHex(d))));
    expect(readlinkSync(join(lower, 'bin/sh'))).toBe('busybox');
    expect(lstatSync(join(upper, 'etc/gone')).isCharacterDevice()).toBe(true);
    expect(execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(upper, 'var/cache')]).toString()).toBe('y');

    const merged = join(work, 'merged');
    mkdirSync(merged);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${[...image.layers].reverse().join(':')}`, merged]);
    try {
      expect(existsSync(join(merged, 'etc/gone'))).toBe(false);
      expect(readdirSync(join(merged, 'var/cache'))).toEqual(['new']);
      expect(readFileSync(join(merged, 'etc/hard'), 'utf8')).toBe('top\n');
      expect(lstatSync(join(upper, 'etc/hard')).ino).toBe(lstatSync(join(upper, 'etc/motd')).ino);
      expect(readFileSync(join(merged, 'bin/sh'), 'utf8')).toBe('BB');
    } finally {
      execFileSync('umount', [merged]);
    }

    expect(await store.get('docker.io/library/busybox:latest')).toEqual(image);
    expect(await store.get(`busybox@${pushed.manifestDigest}`)).toEqual(image);
    expect(await store.get(pushed.configDigest)).toEqual(image);
    expect(await store.get('busybox:other')).toBeUndefined();
    const reopened = new ImageStore({ root: store['paths'].root });
    expect(await reopened.get('busybox')).toEqual(image);
  });

  it('shares one download between concurrent pulls, and a layer between images', async () => {
    const shared = [{ name: 'shared', body: 'x'.repeat(100_000) }];
    const a = await push('kjobs/a', 'v1', [shared, [{ name: 'a', body: 'a' }]]);
    await push('kjobs/b', 'v1', [shared, [{ name: 'b', body: 'b' }]]);
    const requests: string[] = [];
    const store = new ImageStore({ root: newRoot(), fetch: counting(requests) });
    const pulls = await Promise.all([1, 2, 3].map(() => store.pull(`${host}/kjobs/a:v1`)));
    expect(new Set(pulls.map((p) => p.image.id))).toEqual(new Set([a.configDigest]));
    expect(requests.filter((r) => r.includes('/manifests/'))).toHaveLength(1);
    expect(requests.filter((r) => r.includes('/blobs/'))).toHaveLength(3);
    requests.length = 0;
    await store.pull(`${host}/kjobs/b:v1`);
    expect(requests.filter((r) => r.includes('/blobs/'))).toHaveLength(2); // config + its own layer
    expect(requests.some((r) => r.endsWith(a.layerDigests[0] as string))).toBe(false);
  });

  it('fails on a tampered blob, naming the digest mismatch, and keeps nothing', async () => {
    const pushed = await push('kjobs/tampered', 'v1', [[{ name: 'f', body: 'original content' }]]);
    const digest = pushed.layerDigests[0] as string;
    const hex = digestHex(digest);
    const data = join(registry.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(data);
    writeFileSync(data, Buffer.from(bytes.map((b, i) => (i === bytes.length - 20 ? b ^ 0xff : b))));
    const root = newRoot();
    const err = await new ImageStore({ root }).pull(`${host}/kjobs/tampered:v1`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as Error).message).toMatch(new RegExp(`^rpc error: code = Unknown desc = failed to pull and unpack image "${host}/kjobs/tampered:v1": failed to copy: failed commit on ref "layer-${digest}": unexpected commit digest sha256:[a-f0-9]{64}, expected ${digest}: failed precondition$`));
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it.each<[string, (canary: string) => TarEntry[]]>([
    ['other files', () => [{ name: 'f', body: 'other content!!!' }, { name: 'd/', type: 'directory' }]],
    ['an escaping entry', () => [{ name: '../evil', body: 'x' }, { name: 'd/', type: 'directory' }]],
    ['a symlink, then a file through it', (canary) => [{ name: 'f', type: 'symlink', linkname: canary }, { name: 'f/x', body: 'x' }]],
  ])('fails on a blob swapped for a valid gzip layer of %s, found only at the end of the stream: the digest, nothing kept', async (_name, swapped) => {
    // Stored gzip (level 0): two tars of equal length give blobs of equal length, so only the digest differs.
    const root = newRoot();
    const tag = `s${stores}`;
    const canary = join(work, `canary-${tag}`);
    mkdirSync(canary);
    const tar = await makeTar([{ name: 'f', body: 'original content' }, { name: 'd/', type: 'directory' }]);
    const layer = { data: gzipSync(tar, { level: 0 }), mediaType: OCI_LAYER_GZIP, diffId: sha256Digest(tar) };
    await pushImage(registry.url, 'kjobs/swapped', tag, { config: makeConfig([layer]), layers: [layer] });
    const swappedTar = await makeTar(swapped(canary));
    expect(swappedTar.length).toBe(tar.length);
    const digest = sha256Digest(layer.data);
    const hex = digestHex(digest);
    writeFileSync(join(registry.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'), gzipSync(swappedTar, { level: 0 }));
    const err = await new ImageStore({ root }).pull(`${host}/kjobs/swapped:${tag}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as Error).message).toMatch(new RegExp(`failed to copy: failed commit on ref "layer-${digest}": unexpected commit digest sha256:[a-f0-9]{64}, expected ${digest}: failed precondition$`));
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(readdirSync(canary)).toEqual([]);
    expect([join(root, 'evil'), join(work, 'evil')].filter(existsSync)).toEqual([]);
  });

  it.each<[string, (canary: string) => TarEntry[], RegExp]>([
    ['../evil', () => [{ name: '../evil', body: 'x' }], /refused layer entry "..\/evil": path escapes the layer/],
    ['/abs', (canary) => [{ name: `${canary}/abs`, body: 'x' }], /absolute path/],
    ['a -> canary, then a/x', (canary) => [{ name: 'a', type: 'symlink', linkname: canary }, { name: 'a/x', body: 'x' }], /"a\/x": its parent "a" is a symlink/],
    ['a hardlink to ../../x', () => [{ name: 'h', type: 'link', linkname: '../../x' }], /hardlink target "..\/..\/x" escapes the layer/],
  ])('refuses a layer with %s: nothing outside the store, no partial layer', async (name, entries, why) => {
    const root = newRoot();
    const tag = `t${stores}`;
    const canary = join(work, `canary-${tag}`);
    mkdirSync(canary);
    const pushed = await push('kjobs/evil', tag, [[{ name: 'ok', body: 'fine' }], entries(canary)]);
    const err = await new ImageStore({ root }).pull(`${host}/kjobs/evil:${tag}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as Error).message).toContain(`failed to extract layer ${pushed.layerDigests[1]}: `);
    expect((err as Error).message).toMatch(why);
    expect(readdirSync(canary)).toEqual([]);
    expect([join(root, 'evil'), join(work, 'evil'), join(root, 'layers', 'evil')].filter(existsSync)).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'layers'))).not.toContain(digestHex(pushed.layerDigests[1] as string));
    expect(name).toBeTruthy();
  });

  it('reports an unknown image as NotFound, as containerd words it', async () => {
    const err = await new ImageStore({ root: newRoot() }).pull(`${host}/kjobs/nope`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as ImagePullError).code).toBe('NotFound');
    expect((err as Error).message).toBe(`rpc error: code = NotFound desc = failed to pull and unpack image "${host}/kjobs/nope:latest": failed to resolve reference "${host}/kjobs/nope:latest": ${host}/kjobs/nope:latest: not found`);
  });

  it('refuses a zstd layer with a clear error', async () => {
    const layer = await makeLayer([{ name: 'z', body: 'z' }]);
    const zstd = { data: layer.data, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' };
    await pushImage(registry.url, 'kjobs/zstd', 'v1', { config: makeConfig([layer]), layers: [zstd] });
    await expect(new ImageStore({ root: newRoot() }).pull(`${host}/kjobs/zstd:v1`)).rejects.toThrow(/unsupported layer media type application\/vnd.oci.image.layer.v1.tar\+zstd/);
  });

  it('picks linux/amd64 from an image index', async () => {
    const amd = await push('kjobs/multi', 'amd64', [[{ name: 'arch', body: 'amd64' }]], { Cmd: ['amd64'] });
    const arm = await push('kjobs/multi', 'arm64', [[{ name: 'arch', body: 'arm64' }]], { Cmd: ['arm64'] });
    const entry = (digest: string, architecture: string, variant?: string): object =>
      ({ mediaType: OCI_MANIFEST, digest, size: 0, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } });
    const client = new RegistryClient(registry.url);
    const sizeOf = async (d: string): Promise<number> => (await client.getManifest('kjobs/multi', d)).body.length;
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: [{ ...entry(arm.manifestDigest, 'arm64', 'v8'), size: await sizeOf(arm.manifestDigest) },
        { ...entry(amd.manifestDigest, 'amd64', 'v2'), size: await sizeOf(amd.manifestDigest) }],
    }));
    const indexDigest = await client.putManifest('kjobs/multi', 'latest', index, OCI_INDEX);
    const { image } = await new ImageStore({ root: newRoot() }).pull(`${host}/kjobs/multi`);
    expect(image).toMatchObject({ id: amd.configDigest, config: { Cmd: ['amd64'] }, repoDigest: `${host}/kjobs/multi@${indexDigest}` });
    expect(readFileSync(join(image.layers[0] as string, 'arch'), 'utf8')).toBe('amd64');
  });

  it('falls through a mirror that lacks the image and a dead one to the next', async () => {
    const pushed = await push('kuar-demo/kuard-amd64', 'blue', [[{ name: 'kuard', body: 'go', mode: 0o755 }]], { Cmd: ['/kuard'], User: 'nobody:nobody' });
    const dead = `http://127.0.0.1:${await freePort()}`;
    const requests: string[] = [];
    const hosts = parseRegistryHosts(`mirrors: { gcr.io: { endpoint: ["${dead}", "${empty.url}", "${registry.url}"] } }`);
    const { image } = await new ImageStore({ root: newRoot(), hosts, fetch: counting(requests) }).pull('gcr.io/kuar-demo/kuard-amd64:blue');
    expect(image).toMatchObject({ name: 'gcr.io/kuar-demo/kuard-amd64:blue', id: pushed.configDigest, config: { Cmd: ['/kuard'] } });
    expect(requests.slice(0, 3).map((r) => r.split(' ')[1]?.split('/')[0])).toEqual([new URL(dead).host, new URL(empty.url).host, host]);
    expect(requests.some((r) => r.startsWith('GET gcr.io'))).toBe(false);
  });
});
