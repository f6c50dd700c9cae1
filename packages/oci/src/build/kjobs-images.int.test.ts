import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage } from './image.js';
import { ensureKjobsImages } from './cache.js';
import { busyboxImageSpec, kuardImageSpec } from './kjobs-images.js';
import { readImageLayout } from './layout.js';
import { sharedLibraries } from './rootfs.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kjobs-oci-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stand-in for the kuard bundle: any CommonJS program works for the image's shape. */
const bundle = Buffer.from('"use strict";\nconsole.log(process.argv.slice(2).join(" "));\n');

function tarNames(layer: Buffer): string[] {
  const file = path.join(tmp, `layer-${Math.random()}.tar`);
  writeFileSync(file, layer);
  try {
    return execFileSync('tar', ['-tf', file], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n');
  } finally {
    rmSync(file);
  }
}

const hasStaticBusybox = existsSync('/bin/busybox') && sharedLibraries('/bin/busybox').length === 0;

describe('kjobs images', () => {
  it('the kuard layer has /kuard, node, its libraries and the loader, and the same digest on every build', () => {
    const a = buildImage(kuardImageSpec({ bundle, nodePath: process.execPath }));
    const b = buildImage(kuardImageSpec({ bundle, nodePath: process.execPath }));
    expect(a.layers).toHaveLength(1);
    expect(a.layers[0]!.digest).toBe(b.layers[0]!.digest);
    expect(a.manifest.digest).toBe(b.manifest.digest);
    const names = tarNames(a.layers[0]!.data);
    const loader = sharedLibraries(process.execPath).find((l) => /ld-linux|ld-musl/.test(l))!;
    expect(names).toEqual(expect.arrayContaining(['kuard', 'usr/bin/node', loader.slice(1), 'etc/passwd', 'etc/group', 'tmp/']));
    const config = JSON.parse(a.config.data.toString()) as Record<string, any>;
    expect(config.config).toEqual({
      User: 'nobody:nobody', Cmd: ['/kuard'], ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    });
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [a.layers[0]!.digest] });
    expect(config.os).toBe('linux');
  });

  it.skipIf(!hasStaticBusybox)('the busybox image has /bin/busybox and a link per applet', () => {
    const img = buildImage(busyboxImageSpec({ busyboxPath: '/bin/busybox' }));
    const names = tarNames(img.layers[0]!.data);
    expect(names).toEqual(expect.arrayContaining(['bin/busybox', 'bin/sh', 'bin/ls', 'etc/passwd', 'tmp/']));
    expect(img.tags[0]).toBe('latest');
    expect(JSON.parse(img.config.data.toString()).config.Cmd).toEqual(['sh']);
  });

  it('writes a layout named per tag, and a second call reuses it', () => {
    const cacheDir = path.join(tmp, 'cache');
    const first = ensureKjobsImages({ cacheDir, kuardBundle: bundle });
    expect(first.cached).toBe(false);
    expect(JSON.parse(readFileSync(path.join(first.dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const refs = readImageLayout(first.dir).map((i) => `${i.registry} ${i.repository}:${i.tag}`);
    expect(refs).toEqual(expect.arrayContaining(['gcr.io kuar-demo/kuard-amd64:blue', 'gcr.io kuar-demo/kuard-amd64:1']));
    if (hasStaticBusybox) expect(refs).toEqual(expect.arrayContaining(['docker.io library/busybox:latest']));
    const mtime = statSync(path.join(first.dir, 'index.json')).mtimeMs;
    const t0 = Date.now();
    const second = ensureKjobsImages({ cacheDir, kuardBundle: bundle });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(second).toMatchObject({ dir: first.dir, cached: true, images: first.images });
    expect(statSync(path.join(first.dir, 'index.json')).mtimeMs).toBe(mtime);
    const changed = ensureKjobsImages({ cacheDir, kuardBundle: Buffer.concat([bundle, Buffer.from('\n')]) });
    expect(changed.dir).not.toBe(first.dir);
  });
});
