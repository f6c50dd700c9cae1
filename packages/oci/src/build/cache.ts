/**
 * Builds kjobs' images into an OCI image layout under a cache directory, keyed by a hash of the
 * inputs, so a second start finds them in milliseconds and a re-seed pushes nothing new.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildImage, type ImageSpec } from './image.js';
import { readImageLayout, writeImageLayout } from './layout.js';
import { busyboxImageSpec, kuardImageSpec } from './kjobs-images.js';
import { sharedLibraries } from './rootfs.js';

/** Bump when the builder's output changes for the same inputs. */
const BUILDER_VERSION = 1;
/** Layouts of other keys older than this are removed after a build. */
const PRUNE_AFTER_MS = 7 * 24 * 3600_000;

/** Options of {@link ensureKjobsImages}. */
export interface KjobsImagesOptions {
  /** Cache root; the layout goes to `<cacheDir>/images/<key>` (see {@link defaultCacheDir}). */
  cacheDir: string;
  /** The kuard program as one JS file that node runs without a file extension (CommonJS). */
  kuardBundle: Buffer;
  /** The node binary copied into the kuard image (default: `process.execPath`). */
  nodePath?: string;
  /**
   * Debian busybox-static's binary (default: `/bin/busybox` when it exists and is statically
   * linked); `null` or a dynamic binary: no busybox image.
   */
  busyboxPath?: string | null;
  /** One line per notable step (default: silent). */
  log?: (line: string) => void;
}

/** Where the images are and what is in them. */
export interface KjobsImageLayout {
  /** The OCI image layout directory. */
  dir: string;
  /** The hash of the inputs (the directory's name). */
  key: string;
  /** True when an earlier build was reused. */
  cached: boolean;
  /** Full names with tag of every image in the layout. */
  images: string[];
}

/** `$KJOBS_CACHE_DIR`, else `~/.cache/kjobs` (`$XDG_CACHE_HOME/kjobs` when that is set). */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.KJOBS_CACHE_DIR) return path.resolve(env.KJOBS_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'kjobs');
}

function isStatic(binary: string): boolean {
  try {
    return sharedLibraries(binary).length === 0;
  } catch {
    return false;
  }
}

function fileId(p: string): { path: string; size: number; mtimeMs: number } {
  const s = statSync(p);
  return { path: p, size: s.size, mtimeMs: s.mtimeMs };
}

function imageNames(specs: ImageSpec[]): string[] {
  return specs.flatMap((s) => s.tags.map((t) => `${s.name}:${t}`));
}

/**
 * The layout of kjobs' images, built when the cache has none for these inputs. Safe when two
 * clusters start at once: each builds into its own temporary directory and renames it into place;
 * the loser of the rename drops its copy and uses the winner's (same key, same bytes).
 * Does: 1. resolve busybox; 2. hash the inputs; 3. reuse, or build + rename; 4. prune old keys.
 */
export function ensureKjobsImages(o: KjobsImagesOptions): KjobsImageLayout {
  const log = o.log ?? (() => {});
  const nodePath = o.nodePath ?? process.execPath;
  let busybox = o.busyboxPath === undefined ? '/bin/busybox' : o.busyboxPath;
  if (busybox !== null && (!existsSync(busybox) || !isStatic(busybox))) {
    log(`no statically linked busybox at ${busybox} (apt-get install busybox-static): building no busybox image`);
    busybox = null;
  }
  const key = createHash('sha256').update(JSON.stringify({
    v: BUILDER_VERSION,
    node: fileId(nodePath),
    libs: sharedLibraries(nodePath).map(fileId),
    kuard: createHash('sha256').update(o.kuardBundle).digest('hex'),
    busybox: busybox === null ? null : fileId(busybox),
  })).digest('hex').slice(0, 32);
  const root = path.join(o.cacheDir, 'images');
  const dir = path.join(root, key);
  if (existsSync(path.join(dir, 'index.json'))) {
    return { dir, key, cached: true, images: readImageLayout(dir).map((i) => `${i.registry}/${i.repository}:${i.tag}`) };
  }
  const built: ImageSpec[] = [
    kuardImageSpec({ bundle: o.kuardBundle, nodePath }),
    ...(busybox === null ? [] : [busyboxImageSpec({ busyboxPath: busybox })]),
  ];
  const tmp = path.join(root, `.build-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { recursive: true });
  try {
    writeImageLayout(tmp, built.map(buildImage));
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another builder renamed the same key first: its layout has the same content.
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldLayouts(root, key);
  return { dir, key, cached: false, images: imageNames(built) };
}

function pruneOldLayouts(root: string, keep: string): void {
  for (const name of readdirSync(root)) {
    const p = path.join(root, name);
    try {
      if (name !== keep && Date.now() - statSync(p).mtimeMs > PRUNE_AFTER_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // Removed by a concurrent prune.
    }
  }
}
