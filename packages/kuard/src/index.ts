import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { parseFlags, flagUsages, defaultConfig, FLAGS, type KuardConfig, type KeyGenConfig, type ParseResult } from './flags.js';
export { sshFingerprintSha256, sshRsaPublicKeyBlob } from './fingerprint.js';
export { relTime } from './humanize.js';
export { formatGoLog, goLogPrefix, GoLogger } from './go-log.js';
export { resolveServiceHost } from './service-env.js';
export { MemqClient, queueUrl, type DequeueResult } from './memq-client.js';
export { createKuardServer, type KuardServerOptions } from './server.js';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The single-file kuard bundle the kubelet spawns. */
export const KUARD_BUNDLE = join(PKG_DIR, 'dist', 'kuard.mjs');
const META = join(PKG_DIR, 'dist', 'kuard.meta.json');

/**
 * The esbuild options of the bundle. scripts/build.mjs uses the same ones (keep them in step):
 * src/main.ts with @kjobs/memq inlined, one ESM file for node.
 */
export const KUARD_BUILD_OPTIONS = {
  entryPoints: [join(PKG_DIR, 'src', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  metafile: true,
  logLevel: 'warning',
} as const;

/**
 * True when the bundle is missing or older than any file it was built from. Without the sources
 * (the container image ships the bundle alone) only a missing bundle is stale.
 */
export function isBundleStale(): boolean {
  if (!existsSync(KUARD_BUILD_OPTIONS.entryPoints[0])) return !existsSync(KUARD_BUNDLE);
  if (!existsSync(KUARD_BUNDLE) || !existsSync(META)) return true;
  const built = statSync(KUARD_BUNDLE).mtimeMs;
  try {
    const meta = JSON.parse(readFileSync(META, 'utf8')) as { inputs: Record<string, unknown> };
    return Object.keys(meta.inputs).some((input) => {
      const p = join(PKG_DIR, input);
      return !existsSync(p) || statSync(p).mtimeMs > built;
    });
  } catch {
    return true;
  }
}

/**
 * Build dist/kuard.mjs synchronously with esbuild (a dev dependency, loaded only here). Writes to
 * a temporary file and renames it, so concurrent builders never expose a half-written bundle.
 */
export function buildKuardBundle(): void {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  mkdirSync(dirname(KUARD_BUNDLE), { recursive: true });
  const tmp = `${KUARD_BUNDLE}.${process.pid}.tmp`;
  const result = esbuild.buildSync({ ...KUARD_BUILD_OPTIONS, entryPoints: [...KUARD_BUILD_OPTIONS.entryPoints], outfile: tmp, absWorkingDir: PKG_DIR });
  writeFileSync(`${META}.${process.pid}.tmp`, JSON.stringify(result.metafile));
  renameSync(tmp, KUARD_BUNDLE);
  renameSync(`${META}.${process.pid}.tmp`, META);
}

/**
 * How to start kuard: `node dist/kuard.mjs` (append the pod's args). Builds the bundle on first
 * use, or when its sources changed, so a spawn costs node's startup only — not a TypeScript
 * compile per pod.
 */
export function kuardCommand(): { command: string; args: string[] } {
  if (isBundleStale()) buildKuardBundle();
  return { command: process.execPath, args: [KUARD_BUNDLE] };
}
