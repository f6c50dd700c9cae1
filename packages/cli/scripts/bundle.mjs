// The kjobs CLI as one file: src/main.ts with commander, yaml and the @kjobs packages inlined
// into dist/kjobs.mjs (ESM for node 20), plus the esbuild metafile whose inputs tell whether the
// bundle is stale. `node scripts/bundle.mjs` builds it (npm run build, prepack); bin/kjobs.mjs
// imports isBundleStale/buildBundle only in a checkout (where src/ exists).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The bundle bin/kjobs.mjs runs. */
export const BUNDLE = join(PKG_DIR, 'dist', 'kjobs.mjs');
const META = join(PKG_DIR, 'dist', 'kjobs.meta.json');

/** True when the bundle is missing or older than any file it was built from. */
export function isBundleStale() {
  if (!existsSync(BUNDLE) || !existsSync(META)) return true;
  const built = statSync(BUNDLE).mtimeMs;
  try {
    const meta = JSON.parse(readFileSync(META, 'utf8'));
    return Object.keys(meta.inputs).some((input) => {
      const p = join(PKG_DIR, input);
      return !existsSync(p) || statSync(p).mtimeMs > built;
    });
  } catch {
    return true;
  }
}

/**
 * Treat the workspace packages the CLI imports (@kjobs/api, client, bus) as free of side
 * effects, so esbuild drops the modules the CLI never reaches through their index files (NATS,
 * informers, leader election: ~200 KB less to parse at every start).
 */
const pureWorkspacePackages = {
  name: 'pure-workspace-packages',
  setup(build) {
    build.onResolve({ filter: /^@kjobs\/|^\.\.?\// }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const inside = /^@kjobs\/(api|client|bus)$/.test(args.path) || /[\\/]packages[\\/](api|client|bus)[\\/]src[\\/]/.test(args.importer);
      if (!inside) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      return resolved.errors.length ? undefined : { ...resolved, sideEffects: false };
    });
  },
};

/**
 * Build dist/kjobs.mjs with esbuild (a dev dependency, loaded only here). Writes temporary files
 * and renames them, so concurrent builders never expose a half-written bundle; the bundle's
 * mtime is set to the build's start, so a source saved during the build makes it stale.
 */
export async function buildBundle() {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const started = new Date();
  mkdirSync(dirname(BUNDLE), { recursive: true });
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [join(PKG_DIR, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    // commander and yaml are CommonJS: give the ESM bundle a require for their node: imports.
    banner: { js: "import { createRequire as __kjobsRequire } from 'node:module';\nconst require = __kjobsRequire(import.meta.url);" },
    outfile: tmp,
    absWorkingDir: PKG_DIR,
    plugins: [pureWorkspacePackages],
  });
  writeFileSync(`${META}.${process.pid}.tmp`, JSON.stringify(result.metafile));
  utimesSync(tmp, started, started);
  renameSync(tmp, BUNDLE);
  renameSync(`${META}.${process.pid}.tmp`, META);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBundle();
  console.log(`built dist/kjobs.mjs (${(statSync(BUNDLE).size / 1024).toFixed(0)} KiB)`);
}
