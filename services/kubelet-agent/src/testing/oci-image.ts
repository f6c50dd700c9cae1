import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import os from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { PulledImage } from '@kjobs/oci';
import { Harness } from './runtime-harness.js';
import type { ImageSource } from '../runtime/oci/image-puller.js';
import { OciEngine, type OciEngineOptions } from '../runtime/oci/oci-engine.js';
import { Runc } from '../runtime/oci/runc.js';

/**
 * Test-only: a busybox image already unpacked as one layer directory (from Debian's
 * busybox-static), served as an image source, so the engine's tests exercise runc without a
 * registry (the registry path has its own tests in @kjobs/oci and tests/e2e).
 */
export function busyboxLayer(): { dir: string; image: PulledImage } {
  const base = mkdtempSync(path.join(tmpdir(), 'kjobs-oci-img-'));
  const dir = path.join(base, 'layer0');
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home']) mkdirSync(path.join(dir, d), { recursive: true });
  execFileSync('chmod', ['1777', path.join(dir, 'tmp')]);
  copyFileSync('/bin/busybox', path.join(dir, 'bin', 'busybox'));
  execFileSync('chmod', ['0755', path.join(dir, 'bin', 'busybox')]);
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (applet !== 'busybox') symlinkSync('busybox', path.join(dir, 'bin', applet));
  }
  writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
  const image: PulledImage = {
    name: 'docker.io/library/busybox:latest',
    id: 'sha256:test',
    repoDigest: 'docker.io/library/busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    layers: [dir],
    size: 1_000_000,
  };
  return { dir: base, image };
}

/** An image source that has the given images (by name as written in pods) and pulls nothing else. */
export function fixedImages(images: Record<string, PulledImage>): ImageSource {
  return {
    get: async (name) => images[name],
    pull: async (name) => {
      const image = images[name];
      if (!image) throw new Error(`rpc error: code = NotFound desc = failed to pull and unpack image "${name}": not found`);
      return { image, durationMs: 5 };
    },
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * For an OCI test file: runc (required: the tests fail without it) and the busybox image, found
 * and made once (beforeAll, removed afterAll); `node()` gives each test a fresh node — a runtime
 * harness over an OciEngine on a new root directory, with short backoffs.
 */
export function ociTestBed(tmpPrefix: string): { node(over?: Partial<OciEngineOptions>): Promise<{ h: Harness; engine: OciEngine }> } {
  let img: ReturnType<typeof busyboxLayer> | undefined;
  let runc: { binary: string; version: string } | undefined;
  beforeAll(async () => {
    runc = await Runc.find();
    if (!runc) throw new Error('runc is required for the OCI engine tests (Debian package runc; .ci/run installs it)');
    img = busyboxLayer();
  });
  const rootDirs: string[] = [];
  afterAll(() => {
    if (img) rmSync(img.dir, { recursive: true, force: true });
    // The nodes' root directories, once the suite's harnesses are cleaned up — never one that
    // still has a mount inside (a recursive delete would follow a bind mount into its source).
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '');
    for (const dir of rootDirs) {
      if (mounts.some((m) => m === dir || m.startsWith(`${dir}/`))) continue;
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    async node(over = {}) {
      const rootDir = await mkdtemp(path.join(tmpdir(), tmpPrefix));
      rootDirs.push(rootDir);
      const engine = OciEngine.create({ rootDir, runc: runc!, images: fixedImages({ busybox: img!.image }), nodeMemoryBytes: os.totalmem(), logger: silent, pullBackoff: { initialMs: 200, maxMs: 1000 }, ...over });
      const h = await Harness.create({ rootDir, engine, backoff: { initialMs: 100, maxMs: 1000 } });
      return { h, engine };
    },
  };
}
