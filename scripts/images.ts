/**
 * The images kjobs serves locally, built from this checkout: kuard (packages/kuard bundled into
 * one CommonJS file, run by this machine's node) and busybox (Debian's busybox-static). Used by
 * scripts/registry.ts; the image builder itself is @kjobs/oci's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureKjobsImages, type KjobsImageLayout } from '@kjobs/oci';
import { KUARD_BUILD_OPTIONS, KUARD_BUNDLE } from '@kjobs/kuard';

/** The container image's prebuilt {@link bundleKuardForImage} (scripts/docker/prebuild.ts; the image has no sources). */
export const KUARD_IMAGE_BUNDLE = path.join(path.dirname(KUARD_BUNDLE), 'kuard-image.cjs');

/**
 * kuard as one CommonJS file: the image runs it as `/kuard`, a name without an extension, which
 * node loads as CommonJS whatever its version. `import.meta.url` (read only by the Redis broker
 * kuard never uses) is pinned to the file's path in the image.
 */
export function bundleKuardForImage(): Buffer {
  if (!existsSync(KUARD_BUILD_OPTIONS.entryPoints[0])) return readFileSync(KUARD_IMAGE_BUNDLE);
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    ...KUARD_BUILD_OPTIONS,
    entryPoints: [...KUARD_BUILD_OPTIONS.entryPoints],
    // The package dir, as in kuard's own build: the bundle's path comments (and so the cache key)
    // must not depend on where `npm start` was run from.
    absWorkingDir: path.dirname(path.dirname(KUARD_BUILD_OPTIONS.entryPoints[0])),
    format: 'cjs',
    metafile: false,
    write: false,
    logLevel: 'error',
    define: { 'import.meta.url': '"file:///kuard"' },
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

/** Options of {@link buildLocalImages}. */
export interface LocalImagesOptions {
  /** Cache root (`$KJOBS_CACHE_DIR`, default `~/.cache/kjobs`); layouts go to `<cacheDir>/images`. */
  cacheDir: string;
  /** One line per notable step (default: silent). */
  log?: (line: string) => void;
}

/** kjobs' images as an OCI image layout, built or found in the cache (see ensureKjobsImages). */
export function buildLocalImages(o: LocalImagesOptions): KjobsImageLayout & { elapsedMs: number } {
  const t0 = performance.now();
  const layout = ensureKjobsImages({ cacheDir: o.cacheDir, kuardBundle: bundleKuardForImage(), log: o.log });
  return { ...layout, elapsedMs: Math.round(performance.now() - t0) };
}
