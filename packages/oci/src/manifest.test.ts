import { describe, expect, it } from 'vitest';
import { parseImageConfig, parseManifest, pickPlatform, type Descriptor } from './manifest.js';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from './media-types.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const desc = (c: string, platform?: Descriptor['platform']): Descriptor => ({ mediaType: OCI_MANIFEST, digest: d(c), size: 1, ...(platform ? { platform } : {}) });
const buf = (o: object): Buffer => Buffer.from(JSON.stringify(o));

describe('parseManifest', () => {
  it.each([OCI_INDEX, DOCKER_LIST])('reads an index of type %s', (mediaType) => {
    expect(parseManifest(buf({ mediaType, manifests: [desc('a')] }), '')).toEqual({ kind: 'index', manifests: [desc('a')] });
  });
  it.each([OCI_MANIFEST, DOCKER_MANIFEST])('reads a manifest of type %s', (mediaType) => {
    const m = parseManifest(buf({ mediaType, config: desc('c'), layers: [desc('1'), desc('2')] }), '');
    expect(m.kind === 'manifest' && m.manifest.layers.map((l) => l.digest)).toEqual([d('1'), d('2')]);
  });
  it('uses the Content-Type when the body has no mediaType', () => {
    expect(parseManifest(buf({ manifests: [] }), OCI_INDEX).kind).toBe('index');
  });
  it.each([
    ['not json', /not JSON/],
    [JSON.stringify({ mediaType: OCI_MANIFEST, config: desc('c') }), /no layers/],
    [JSON.stringify({ mediaType: OCI_MANIFEST, config: { digest: 'sha256:../../x', size: 1 }, layers: [] }), /invalid digest/],
    [JSON.stringify({ mediaType: OCI_MANIFEST, config: { digest: d('c'), size: -1 }, layers: [] }), /bad size/],
    [JSON.stringify({ mediaType: OCI_INDEX }), /no manifests/],
  ])('refuses %s', (body, why) => { expect(() => parseManifest(Buffer.from(body), '')).toThrow(why); });
});

describe('pickPlatform', () => {
  it.each<[Descriptor[], string | undefined]>([
    [[desc('1', { os: 'linux', architecture: 'arm64', variant: 'v8' }), desc('2', { os: 'linux', architecture: 'amd64', variant: 'v3' })], d('2')],
    [[desc('1', { os: 'windows', architecture: 'amd64' }), desc('2', { os: 'linux', architecture: 'amd64' })], d('2')],
    [[desc('1', { os: 'linux', architecture: 'arm' }), desc('2')], undefined],
  ])('%#', (manifests, want) => { expect(pickPlatform(manifests)?.digest).toBe(want); });
});

describe('parseImageConfig', () => {
  it('reads config and diff_ids', () => {
    expect(parseImageConfig(buf({ config: { Cmd: ['/kuard'], User: 'nobody' }, rootfs: { type: 'layers', diff_ids: [d('a')] } })))
      .toEqual({ config: { Cmd: ['/kuard'], User: 'nobody' }, diffIds: [d('a')] });
    expect(parseImageConfig(buf({ config: null }))).toEqual({ config: {}, diffIds: [] });
  });
});
