// Unpacks one layer tarball into a directory usable as an overlayfs lowerdir. Every path is built
// from checked components (entry-path.ts) and every parent is lstat'ed, so nothing is written
// outside the directory and nothing is written through a symlink.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { BatchedInput } from './batched-input.js';
import { entryParts, hardlinkTargetParts, whiteoutOf } from './entry-path.js';
import { UnsafeLayerEntryError } from './errors.js';

const run = promisify(execFile);
const IS_ROOT = process.getuid?.() === 0;
/** The owner a new file gets from this process (unless a setgid directory passes its group down). */
const OWNER = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
const S_ISGID = 0o2000;

/** The logger the package writes to (a pino logger fits). */
export interface Logger {
  debug(o: object, m?: string): void;
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
}

/** Options of unpackLayer. */
export interface UnpackOptions {
  compression: 'gzip' | 'none';
  log?: Logger;
  signal?: AbortSignal;
}

/** Bytes per gunzip output chunk and per file read: fewer, larger chunks cost fewer callbacks and writes. */
const CHUNK = 1 << 20;
/** Bytes buffered between the stages of one layer, so download, gunzip and writes overlap. */
const BUFFER = 2 << 20;

/** A layer being unpacked: write the layer blob's bytes to `input` (and end it), then await `done`. */
export interface LayerUnpack {
  input: Writable;
  /** The layer's diff_id (sha256 of the uncompressed tar) once every entry is on disk. */
  done: Promise<{ diffId: string }>;
}

/**
 * Starts unpacking a layer blob streamed into `input` into the existing empty directory `dir`: one
 * pass, gunzip (when compressed) → sha256 → tar entries → files. `done` rejects with
 * UnsafeLayerEntryError for a refused entry, or with the stream's error; `input` is destroyed then,
 * and the caller removes `dir`. Whiteouts become 0/0 character devices, opaque markers the
 * `trusted.overlay.opaque=y` xattr. Owners are applied when running as root; devices are skipped
 * (debug log) when mknod is not possible.
 */
export function startUnpack(dir: string, opts: UnpackOptions): LayerUnpack {
  const { input, done } = openUnpack(dir, opts);
  return { input: opts.compression === 'gzip' ? new BatchedInput(input) : input, done };
}

/**
 * startUnpack without the batching of gzip input: `input` is gunzip itself (which has consumed a
 * chunk once its write calls back, and keeps no reference to it), or for an uncompressed layer the
 * hashing stage (which passes the chunk on: it must not be reused). For callers that already write
 * in large chunks (the unpack worker, unpack-workers.ts).
 */
export function openUnpack(dir: string, opts: UnpackOptions): LayerUnpack {
  const hash = createHash('sha256');
  const hasher = new Transform({
    highWaterMark: BUFFER,
    transform(chunk: Buffer, _enc, cb) { hash.update(chunk); cb(null, chunk); },
  });
  const ex = extract();
  const sink = ex as unknown as NodeJS.WritableStream;
  // zlib streams take Transform options too (the typings omit highWaterMark).
  const zlibOpts: ZlibOptions & { highWaterMark: number } = { chunkSize: CHUNK, highWaterMark: BUFFER };
  const gunzip = opts.compression === 'gzip' ? createGunzip(zlibOpts) : undefined;
  const feeding = gunzip ? pipeline(gunzip, hasher, sink) : pipeline(hasher, sink);
  // It can fail while an entry is being written, before anything awaits it: not an unhandled rejection.
  feeding.catch(() => undefined);
  const layer = new LayerWriter(dir, opts.log);
  const done = (async () => {
    try {
      for await (const entry of ex) {
        opts.signal?.throwIfAborted();
        await layer.apply(entry.header, entry as unknown as Readable);
      }
      await feeding;
      await layer.finish();
    } catch (err) {
      ex.destroy(err as Error);
      await feeding.catch(() => undefined);
      throw err;
    }
    return { diffId: `sha256:${hash.digest('hex')}` };
  })();
  return { input: gunzip ?? hasher, done };
}

/**
 * Unpacks the layer blob at `blobFile` into the existing empty directory `dir`; returns the layer's
 * diff_id. Throws UnsafeLayerEntryError for a refused entry; the caller removes `dir` on any error.
 * The same unpacking as startUnpack (or `start`: an unpack worker's), fed from a file.
 */
export async function unpackLayer(blobFile: string, dir: string, opts: UnpackOptions,
  start: (dir: string, opts: UnpackOptions) => LayerUnpack = startUnpack): Promise<{ diffId: string }> {
  const { input, done } = start(dir, opts);
  const reading = pipeline(createReadStream(blobFile, { highWaterMark: CHUNK }), input);
  try {
    return await done;
  } finally {
    await reading.catch(() => undefined);
  }
}

class LayerWriter {
  /** Entries (non-directories) written so far: the only valid hardlink targets. */
  private readonly written = new Set<string>();
  /** Directories checked to be real directories; cleared whenever an entry replaces something. */
  private readonly safeDirs = new Set<string>();
  private readonly dirTimes: { path: string; mtime: Date }[] = [];
  /** Whether new entries may inherit a group from a setgid directory (the root's bit, or any setgid entry). */
  private setgid: Promise<boolean> | undefined;

  constructor(private readonly root: string, private readonly log?: Logger) {}

  /**
   * Applies one entry. Does: 1. check the name; 2. handle a whiteout; 3. make the parents (refusing
   * symlinked or non-directory parents); 4. replace what is there; 5. create by type; 6. set owner,
   * mode and mtime.
   */
  async apply(h: Header, body: Readable): Promise<void> {
    const parts = entryParts(h.name);
    const rel = parts.join('/');
    const path = join(this.root, ...parts);
    const whiteout = whiteoutOf(h.name, parts);
    if (whiteout) {
      await drain(body);
      if (whiteout.kind === 'meta') return;
      if (whiteout.kind === 'opaque') {
        await this.ensureDir(h.name, whiteout.dir);
        await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(this.root, ...whiteout.dir)]);
      } else {
        await this.ensureDir(h.name, whiteout.target.slice(0, -1));
        const target = join(this.root, ...whiteout.target);
        await this.clear(target);
        await run('mknod', [target, 'c', '0', '0']);
      }
      return;
    }
    if (parts.length === 0) {
      await drain(body);
      if (h.type !== 'directory') throw new UnsafeLayerEntryError(h.name, 'a non-directory entry for the layer root');
      await this.finishEntry(this.root, h, false, false);
      return;
    }
    await this.ensureDir(h.name, parts.slice(0, -1));
    const existing = await lstat(path).catch(() => undefined);
    if (existing && !(existing.isDirectory() && h.type === 'directory')) await this.clear(path);
    switch (h.type) {
      case 'file':
      case 'contiguous-file':
        await writeFile(path, body);
        break;
      case 'directory':
        await drain(body);
        if (!existing?.isDirectory()) await mkdir(path, { mode: 0o700 });
        this.safeDirs.add(path);
        break;
      case 'symlink':
        await drain(body);
        await symlink(h.linkname, path); // the target text as is: it is resolved inside the container
        break;
      case 'link': {
        await drain(body);
        const targetParts = hardlinkTargetParts(h.name, h.linkname);
        const target = targetParts.join('/');
        if (!this.written.has(target)) throw new UnsafeLayerEntryError(h.name, `hardlink target "${h.linkname}" is not an earlier entry of this layer`);
        await this.ensureDir(h.name, targetParts.slice(0, -1), false);
        const st = await lstat(join(this.root, ...targetParts)).catch(() => undefined);
        if (!st || st.isDirectory()) throw new UnsafeLayerEntryError(h.name, `hardlink target "${h.linkname}" does not exist in this layer`);
        await link(join(this.root, ...targetParts), path);
        this.written.add(rel);
        return; // a hardlink shares the target's inode: owner, mode and times are the target's
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await drain(body);
        if (!(await this.makeNode(path, h))) return;
        break;
      default:
        await drain(body);
        this.log?.debug({ entry: h.name, type: h.type }, 'skipped a layer entry of an unsupported type');
        return;
    }
    if (h.type !== 'directory') this.written.add(rel);
    // Everything but a directory that was already there was just created by this process.
    await this.finishEntry(path, h, h.type === 'symlink', !(h.type === 'directory' && existing?.isDirectory()));
  }

  /** Sets directory mtimes last, deepest first, since writing their children changed them. */
  async finish(): Promise<void> {
    for (const { path, mtime } of this.dirTimes.reverse()) await utimes(path, mtime, mtime);
  }

  /** Sets owner, mode and mtime; `fresh`: the entry was created just now (so its owner is this process's). */
  private async finishEntry(path: string, h: Header, isSymlink: boolean, fresh: boolean): Promise<void> {
    // chown before chmod: chown clears setuid/setgid bits.
    if (IS_ROOT && !(fresh && (await this.ownedAlready(h)))) await lchown(path, h.uid ?? 0, h.gid ?? 0);
    const mode = (h.mode ?? 0o644) & 0o7777;
    if (!isSymlink) await chmod(path, mode);
    if (h.type === 'directory' && mode & S_ISGID) this.setgid = Promise.resolve(true);
    const mtime = h.mtime ?? new Date(0);
    if (h.type === 'directory') this.dirTimes.push({ path, mtime });
    else if (isSymlink) await lutimes(path, mtime, mtime);
    else await utimes(path, mtime, mtime);
  }

  /**
   * True when a fresh entry already has the owner `h` asks for, so chown can be skipped: the header
   * names this process's uid and gid, and no directory of the layer (nor the layer root) is setgid,
   * which would have given the entry the directory's group instead.
   */
  private async ownedAlready(h: Header): Promise<boolean> {
    if ((h.uid ?? 0) !== OWNER.uid || (h.gid ?? 0) !== OWNER.gid) return false;
    this.setgid ??= lstat(this.root).then((st) => (st.mode & S_ISGID) !== 0);
    return !(await this.setgid);
  }

  /** Makes `parts` a directory chain inside the layer (when `create`), refusing symlinks and non-directories on the way. */
  private async ensureDir(entry: string, parts: string[], create = true): Promise<void> {
    let path = this.root;
    for (const part of parts) {
      path = join(path, part);
      if (this.safeDirs.has(path)) continue;
      const st = await lstat(path).catch(() => undefined);
      const rel = path.slice(this.root.length + 1);
      if (st?.isSymbolicLink()) throw new UnsafeLayerEntryError(entry, `its parent "${rel}" is a symlink (no writing through symlinks)`);
      if (st && !st.isDirectory()) throw new UnsafeLayerEntryError(entry, `its parent "${rel}" is not a directory`);
      if (!st) {
        if (!create) throw new UnsafeLayerEntryError(entry, `"${rel}" does not exist in this layer`);
        await mkdir(path, { mode: 0o755 });
      }
      this.safeDirs.add(path);
    }
  }

  /** Removes what is at `path` (a later entry replaces an earlier one, as tar does). */
  private async clear(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
    this.safeDirs.clear();
    const rel = path.slice(this.root.length + 1);
    for (const w of this.written) if (w === rel || w.startsWith(`${rel}/`)) this.written.delete(w);
  }

  private async makeNode(path: string, h: Header): Promise<boolean> {
    const kind = h.type === 'fifo' ? ['p'] : [h.type === 'block-device' ? 'b' : 'c', String(h.devmajor ?? 0), String(h.devminor ?? 0)];
    if (!IS_ROOT && h.type !== 'fifo') {
      this.log?.debug({ entry: h.name, type: h.type }, 'skipped a device entry: not running as root');
      return false;
    }
    try {
      await run('mknod', [path, ...kind]);
      return true;
    } catch (err) {
      this.log?.debug({ entry: h.name, type: h.type, err: String(err) }, 'skipped a device entry: mknod failed');
      return false;
    }
  }
}

async function writeFile(path: string, body: Readable): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of body) await fh.write(chunk as Buffer);
  } finally {
    await fh.close();
  }
}

async function drain(body: Readable): Promise<void> {
  for await (const _chunk of body) { /* discard */ }
}

