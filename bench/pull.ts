/**
 * `npm run bench -- pull`: a cold pull of a ~50 MB image (two gzip layers: 40 MiB of random
 * bytes and 24 MiB of text) from a local CNCF Distribution registry into an empty kjobs image
 * store — manifest, blobs verified, layers unpacked — beside `skopeo copy` of the same image to an
 * OCI layout directory (download and verify only, no unpacking) and `skopeo copy` + `umoci
 * unpack`, measured in the same run, interleaved, BENCH_PULL_ROUNDS (3) times; medians reported.
 * Target: kjobs' cold pull at least as fast as `skopeo copy` (ratio ≥ 1).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { ImageStore, pushImage } from '@kjobs/oci';
import { startRegistry } from '../packages/oci/src/test-registry.js';
import { machine, printTable } from './util.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_PULL_ROUNDS ?? 3);

/** One uncompressed layer tar holding `files`. */
async function layerTar(files: Record<string, Buffer>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  p.entry({ name: 'data/', type: 'directory', mode: 0o755 });
  for (const [name, body] of Object.entries(files)) p.entry({ name, mode: 0o644 }, body);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function run_(): Promise<void> {
  const reg = await startRegistry();
  const work = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-pull-'));
  try {
    const text = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `line ${i} of a text file that compresses like source code or logs do\n`).join(''));
    const tars = [await layerTar({ 'data/random.bin': randomBytes(40 * 1024 * 1024) }), await layerTar({ 'data/text.txt': text })];
    const layers = tars.map((t) => gzipSync(t, { level: 6 }));
    const { createHash } = await import('node:crypto');
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${createHash('sha256').update(t).digest('hex')}`) },
    }));
    await pushImage(reg.url, 'bench/big', 'v1', { config, layers: layers.map((data) => ({ data, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })) });
    const host = new URL(reg.url).host;
    const ref = `${host}/bench/big:v1`;
    const compressed = layers.reduce((a, l) => a + l.length, 0) + config.length;
    const kjobs: number[] = [];
    const skopeo: number[] = [];
    const skopeoUnpack: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const store = path.join(work, `store-${i}`);
      kjobs.push(await timed(() => new ImageStore({ root: store }).pull(ref)));
      const dir = path.join(work, `skopeo-${i}`);
      skopeo.push(await timed(() => run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:v1`])));
      const dir2 = path.join(work, `umoci-${i}`);
      skopeoUnpack.push(await timed(async () => {
        await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir2}:v1`]);
        await run('umoci', ['unpack', '--image', `${dir2}:v1`, path.join(work, `bundle-${i}`)]);
      }));
      for (const d of [store, dir, dir2, path.join(work, `bundle-${i}`)]) rmSync(d, { recursive: true, force: true });
    }
    const k = median(kjobs);
    const s = median(skopeo);
    const su = median(skopeoUnpack);
    console.log(`pull benchmark — cold pull of a ${(compressed / 1e6).toFixed(1)} MB image (2 gzip layers) from a local docker-registry, ${ROUNDS} rounds interleaved, medians`);
    printTable([
      ['what', 'ms', 'MB/s', 'ratio (floor / kjobs)', 'target', 'met'],
      ['kjobs ImageStore.pull (fetch, verify, unpack)', k, compressed / 1e3 / k, '', '', ''],
      ['skopeo copy → OCI layout (fetch, verify)', s, compressed / 1e3 / s, s / k, '>= 1', s / k >= 1 ? 'yes' : 'NO'],
      ['skopeo copy + umoci unpack', su, compressed / 1e3 / su, su / k, '', ''],
    ]);
    console.log(JSON.stringify({
      bench: 'pull', machine: machine(), image_bytes: compressed, rounds: ROUNDS,
      kjobs_ms: { median: Math.round(k), all: kjobs.map(Math.round) },
      skopeo_copy_ms: { median: Math.round(s), all: skopeo.map(Math.round) },
      skopeo_copy_umoci_unpack_ms: { median: Math.round(su), all: skopeoUnpack.map(Math.round) },
      ratio_skopeo_over_kjobs: Math.round((s / k) * 100) / 100, target: 1, met: s / k >= 1,
    }));
  } finally {
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export { run_ as run };
