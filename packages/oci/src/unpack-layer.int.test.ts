import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { makeTar, type TarEntry } from './testing/images.js';
import { startUnpack, unpackLayer, type LayerUnpack, type UnpackOptions } from './unpack-layer.js';
import { UnpackWorkers } from './unpack-workers.js';

let work: string;
let canary: string;
let n = 0;
/** Where the describe block being run unpacks: on this thread or in an unpack worker. */
let start: (dir: string, opts: UnpackOptions) => LayerUnpack = startUnpack;
const workers = new UnpackWorkers(1);
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kjobs-oci-unpack-'));
  canary = join(work, 'canary');
  mkdirSync(canary);
});
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

async function unpack(entries: TarEntry[], gzip = false): Promise<{ dir: string; diffId: string; tar: Buffer }> {
  const tar = await makeTar(entries);
  const blob = join(work, `blob-${++n}`);
  const dir = join(work, `layer-${n}`, 'a', 'b'); // deep, so "../../x" stays inside `work`
  mkdirSync(dir, { recursive: true });
  await writeFile(blob, gzip ? gzipSync(tar) : tar);
  const { diffId } = await unpackLayer(blob, dir, { compression: gzip ? 'gzip' : 'none' }, start);
  return { dir, diffId, tar };
}

const xattr = (path: string): string => execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', path]).toString();
const mtime = new Date('2020-01-02T03:04:05Z');

describe.each<[string, (dir: string, opts: UnpackOptions) => LayerUnpack]>([
  ['on this thread', startUnpack],
  ['in an unpack worker', (dir, opts) => workers.start(dir, opts)],
])('unpackLayer %s', (_where, where) => {
  beforeAll(() => { start = where; });

  it.each([true, false])('unpacks a layer of several megabytes whole (gzip: %s)', async (gzip) => {
    const big = randomBytes(5 * 1024 * 1024 + 4321);
    const { dir, diffId, tar } = await unpack([{ name: 'big.bin', body: big }, { name: 'small', body: 'after' }], gzip);
    expect(diffId).toBe(sha256Digest(tar));
    expect(readFileSync(join(dir, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(dir, 'small'), 'utf8')).toBe('after');
  });

  it('rejects when its input is destroyed in the middle of a file (a failed download), with nothing unhandled', async () => {
    const dir = join(work, `layer-cut-${++n}`);
    mkdirSync(dir);
    const blob = gzipSync(await makeTar([{ name: 'big.bin', body: randomBytes(4 << 20) }]));
    const { input, done } = start(dir, { compression: 'gzip' });
    input.on('error', () => undefined);
    const settled = done.then(() => 'resolved', () => 'rejected');
    input.write(blob.subarray(0, blob.length >> 1));
    // Once the file is being written, cut the stream as a reset socket would.
    for (let i = 0; i < 600 && !existsSync(join(dir, 'big.bin')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(join(dir, 'big.bin'))).toBe(true);
    input.destroy(new Error('socket hang up'));
    expect(await settled).toBe('rejected');
  });

  it('writes files, directories and symlinks with mode, owner and mtime; returns the diff_id', async () => {
    const { dir, diffId, tar } = await unpack([
      { name: './etc/', type: 'directory', mode: 0o750, uid: 7, gid: 8, mtime },
      { name: './etc/motd', body: 'hello\n', mode: 0o4755, uid: 1000, gid: 1001, mtime },
      { name: 'bin//sh', type: 'symlink', linkname: '/bin/busybox' },
    ], true);
    expect(diffId).toBe(sha256Digest(tar));
    const motd = statSync(join(dir, 'etc/motd'));
    expect([motd.mode & 0o7777, motd.uid, motd.gid, motd.mtime.getTime()]).toEqual([0o4755, 1000, 1001, mtime.getTime()]);
    expect(readFileSync(join(dir, 'etc/motd'), 'utf8')).toBe('hello\n');
    const etc = statSync(join(dir, 'etc'));
    expect([etc.mode & 0o7777, etc.uid, etc.gid, etc.mtime.getTime()]).toEqual([0o750, 7, 8, mtime.getTime()]);
    expect(readlinkSync(join(dir, 'bin/sh'))).toBe('/bin/busybox');
  });

  it.each<[string, TarEntry[], (dir: string) => void]>([
    ['a hardlink to an earlier entry shares its inode', [{ name: 'a', body: 'x' }, { name: 'd/h', type: 'link', linkname: './a' }],
      (dir) => { expect(statSync(join(dir, 'd/h')).ino).toBe(statSync(join(dir, 'a')).ino); }],
    ['a whiteout becomes a 0/0 character device', [{ name: 'etc/.wh.passwd', body: '' }],
      (dir) => { const st = lstatSync(join(dir, 'etc/passwd')); expect([st.isCharacterDevice(), st.rdev]).toEqual([true, 0]); }],
    ['an opaque marker becomes trusted.overlay.opaque=y', [{ name: 'var/cache/', type: 'directory' }, { name: 'var/cache/.wh..wh..opq' }],
      (dir) => { expect(xattr(join(dir, 'var/cache'))).toBe('y'); expect(existsSync(join(dir, 'var/cache/.wh..wh..opq'))).toBe(false); }],
    ['aufs metadata whiteouts are ignored', [{ name: '.wh..wh.plnk/1.2' }, { name: 'f', body: '' }],
      (dir) => { expect(existsSync(join(dir, '.wh..wh.plnk'))).toBe(false); }],
    ['character and block devices and fifos', [
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/loop0', type: 'block-device', devmajor: 7, devminor: 0 }, { name: 'run/p', type: 'fifo' }],
    (dir) => {
      const c = lstatSync(join(dir, 'dev/null'));
      expect([c.isCharacterDevice(), c.rdev, c.mode & 0o777]).toEqual([true, (1 << 8) | 3, 0o666]);
      expect(lstatSync(join(dir, 'dev/loop0')).isBlockDevice()).toBe(true);
      expect(lstatSync(join(dir, 'run/p')).isFIFO()).toBe(true);
    }],
    ['a later entry replaces an earlier one', [{ name: 'x', body: 'one' }, { name: 'x', type: 'symlink', linkname: 'y' }],
      (dir) => { expect(readlinkSync(join(dir, 'x'))).toBe('y'); }],
    ['a whiteout replaces a same-named entry of the layer', [{ name: 'd/x', body: 'one' }, { name: 'd/.wh.x' }],
      (dir) => { expect(lstatSync(join(dir, 'd/x')).isCharacterDevice()).toBe(true); }],
    ['a file under a setgid directory gets the group its header names, not the directory\'s',
      [{ name: 'd/', type: 'directory', mode: 0o2775, uid: 0, gid: 50 }, { name: 'd/f', body: 'x', uid: 0, gid: 0 }, { name: 'd/e/', type: 'directory', uid: 0, gid: 0 }],
      (dir) => {
        expect([statSync(join(dir, 'd')).gid, statSync(join(dir, 'd')).mode & 0o7777]).toEqual([50, 0o2775]);
        expect([statSync(join(dir, 'd/f')).gid, statSync(join(dir, 'd/e')).gid]).toEqual([0, 0]);
      }],
    ['a later entry for an existing directory sets its owner again', [{ name: 'd/', type: 'directory', uid: 7, gid: 8 }, { name: 'd/', type: 'directory', uid: 0, gid: 0 }],
      (dir) => { expect([statSync(join(dir, 'd')).uid, statSync(join(dir, 'd')).gid]).toEqual([0, 0]); }],
    ['a symlink may point anywhere: it is resolved in the container', [{ name: 'a', type: 'symlink', linkname: '../../../../etc' }],
      (dir) => { expect(readlinkSync(join(dir, 'a'))).toBe('../../../../etc'); }],
  ])('%s', async (_name, entries, check) => {
    check((await unpack(entries)).dir);
  });

  it('gives new entries the owner their headers name when the layer directory itself is setgid', async () => {
    const dir = join(work, `layer-setgid-${++n}`);
    mkdirSync(dir);
    chownSync(dir, 0, 50);
    chmodSync(dir, 0o2755);
    const blob = join(work, `blob-${n}`);
    await writeFile(blob, await makeTar([{ name: 'f', body: 'x', uid: 0, gid: 0 }, { name: 'd/', type: 'directory', uid: 0, gid: 0 }]));
    await unpackLayer(blob, dir, { compression: 'none' }, start);
    expect([statSync(join(dir, 'f')).gid, statSync(join(dir, 'd')).gid]).toEqual([0, 0]);
  });

  it.each<[string, TarEntry[], RegExp]>([
    ['../evil', [{ name: '../evil', body: 'x' }], /refused layer entry "..\/evil": path escapes the layer/],
    ['/abs', [{ name: '/abs', body: 'x' }], /"\/abs": absolute path/],
    ['a -> canary, then a/x', [{ name: 'a', type: 'symlink', linkname: 'CANARY' }, { name: 'a/x', body: 'x' }], /"a\/x": its parent "a" is a symlink/],
    ['a whiteout through a symlink', [{ name: 'a', type: 'symlink', linkname: 'CANARY' }, { name: 'a/.wh.x' }], /its parent "a" is a symlink/],
    ['an opaque marker through a symlink', [{ name: 'a', type: 'symlink', linkname: 'CANARY' }, { name: 'a/.wh..wh..opq' }], /its parent "a" is a symlink/],
    ['hardlink to ../../x', [{ name: 'h', type: 'link', linkname: '../../x' }], /hardlink target "..\/..\/x" escapes the layer/],
    ['hardlink to an absolute path', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], /is absolute/],
    ['hardlink to a missing entry', [{ name: 'h', type: 'link', linkname: 'nope' }], /not an earlier entry of this layer/],
    ['hardlink to a later entry', [{ name: 'h', type: 'link', linkname: 'f' }, { name: 'f', body: '' }], /not an earlier entry/],
    ['hardlink through a directory replaced by a symlink',
      [{ name: 'd/f', body: 'x' }, { name: 'd', type: 'symlink', linkname: 'CANARY' }, { name: 'h', type: 'link', linkname: 'd/f' }], /not an earlier entry/],
    ['a file used as a directory', [{ name: 'f', body: '' }, { name: 'f/x', body: '' }], /its parent "f" is not a directory/],
    ['a non-directory for the root', [{ name: './', type: 'symlink', linkname: '/' }], /layer root/],
  ])('refuses %s', async (_name, entries, message) => {
    const fixed = entries.map((e) => (e.linkname === 'CANARY' ? { ...e, linkname: canary } : e));
    await expect(unpack(fixed)).rejects.toThrow(message);
    expect(execFileSync('ls', ['-A', canary]).toString()).toBe('');
    expect(existsSync(join(work, 'evil'))).toBe(false);
    expect(existsSync(join(work, `layer-${n}`, 'evil'))).toBe(false);
  });
});
