import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { UnsafeLayerEntryError } from './errors.js';
import { makeTar, type TarEntry } from './testing/images.js';
import { UnpackWorkers } from './unpack-workers.js';

let work: string;
let n = 0;
beforeAll(async () => { work = await mkdtemp(join(tmpdir(), 'kjobs-oci-workers-')); });
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

function freshDir(): string {
  const dir = join(work, `layer-${++n}`);
  mkdirSync(dir);
  return dir;
}

/** Unpacks `blob` in `workers`, written in uneven chunks as a socket delivers them. */
async function unpackIn(workers: UnpackWorkers, blob: Buffer, compression: 'gzip' | 'none', dir = freshDir()): Promise<{ dir: string; diffId: string }> {
  const { input, done } = workers.start(dir, { compression });
  input.on('error', () => undefined); // `done` says what went wrong
  for (let at = 0; at < blob.length && !input.destroyed;) {
    const size = Math.min(blob.length - at, 1 + ((at * 7919) % 100_000));
    if (!input.write(blob.subarray(at, at + size))) await writable(input);
    at += size;
  }
  input.end();
  return { dir, ...(await done) };
}

function writable(input: NodeJS.WritableStream & { destroyed: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (input.destroyed) return resolve();
    input.once('drain', resolve);
    input.once('close', resolve);
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(cond()).toBe(true);
}

describe('UnpackWorkers', () => {
  it('unpacks several layers at once in one worker, each whole', async () => {
    const workers = new UnpackWorkers(1);
    const layers = await Promise.all([1, 2, 3].map(async (i) => {
      const body = randomBytes(i * 700_000);
      const tar = await makeTar([{ name: `f${i}`, body }]);
      return { i, body, tar };
    }));
    const results = await Promise.all(layers.map(({ tar }, k) => unpackIn(workers, k % 2 ? tar : gzipSync(tar), k % 2 ? 'none' : 'gzip')));
    expect(workers.running).toBe(1);
    results.forEach(({ dir, diffId }, k) => {
      expect(diffId).toBe(sha256Digest(layers[k]!.tar));
      expect(readFileSync(join(dir, `f${layers[k]!.i}`)).equals(layers[k]!.body)).toBe(true);
    });
  });

  it('reports a refused entry as the UnsafeLayerEntryError it was, and the worker goes on with the next layer', async () => {
    const workers = new UnpackWorkers(1);
    const bad = await makeTar([{ name: 'ok', body: 'x' }, { name: '../evil', body: 'x' }]);
    const err = await unpackIn(workers, gzipSync(bad), 'gzip').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeLayerEntryError);
    expect(err).toMatchObject({ entry: '../evil', reason: 'path escapes the layer (".." component)' });
    expect(readdirSync(work)).not.toContain('evil');
    const good: TarEntry[] = [{ name: 'after', body: 'fine' }];
    const { dir } = await unpackIn(workers, await makeTar(good), 'none');
    expect(readFileSync(join(dir, 'after'), 'utf8')).toBe('fine');
    expect(workers.running).toBe(1);
  });

  it('stops a layer whose input is destroyed (a download that failed) and rejects with that error', async () => {
    const workers = new UnpackWorkers(1);
    const dir = freshDir();
    const { input, done } = workers.start(dir, { compression: 'gzip' });
    const blob = gzipSync(await makeTar([{ name: 'big', body: randomBytes(3 << 20) }]));
    input.on('error', () => undefined);
    input.write(blob.subarray(0, 1 << 20));
    input.destroy(new Error('socket hang up'));
    await expect(done).rejects.toThrow('socket hang up');
    const { diffId } = await unpackIn(workers, blob, 'gzip');
    expect(diffId).toMatch(/^sha256:/);
  });

  it('ends a worker that has been idle for idleMs and starts another when needed', async () => {
    const workers = new UnpackWorkers(2, 100);
    const tar = await makeTar([{ name: 'f', body: 'x' }]);
    await Promise.all([unpackIn(workers, tar, 'none'), unpackIn(workers, tar, 'none')]);
    expect(workers.running).toBe(2);
    await until(() => workers.running === 0);
    const { dir } = await unpackIn(workers, tar, 'none');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('x');
  });

  it('fails the layer of a worker that could not start, without hanging its writer', async () => {
    const workers = new UnpackWorkers(1);
    // A directory that does not exist: the worker reports the failure of the first write.
    const { input, done } = workers.start(join(work, 'missing', 'dir'), { compression: 'none' });
    input.on('error', () => undefined);
    const blob = await makeTar([{ name: 'f', body: randomBytes(4 << 20) }]);
    for (let at = 0; at < blob.length && !input.destroyed; at += 1 << 16) {
      if (!input.write(blob.subarray(at, at + (1 << 16)))) await writable(input);
    }
    input.end();
    await expect(done).rejects.toThrow(/ENOENT/);
  });
});
