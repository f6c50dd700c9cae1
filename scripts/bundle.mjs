// One way to make a bundle: a TypeScript entry with its workspace packages and dependencies inlined
// into one ESM file for node (esbuild), plus the esbuild metafile whose inputs tell whether the
// bundle is stale. Used for the services (`node scripts/bundle.mjs`, `npm run build`, and before
// `npm start` and the tests spawn them) and for the CLI (packages/cli/scripts/bundle.mjs).
//
// Why bundles: a service started through tsx spends most of its start compiling and resolving
// hundreds of modules (memq answered after 1.4 s through tsx, 0.33 s bundled; see
// docs/benchmarks.md "service start"), and an image that runs bundles needs no dev dependencies.
//
// Plain JavaScript, so that it runs without tsx (the CLI's bin and a Docker build stage).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The five services, each bundled from services/<name>/src/main.ts into services/<name>/dist/main.mjs. */
export const SERVICES = ['api-server', 'scheduler', 'job-controller', 'kubelet-agent', 'memq'];

/** Where a service's bundle is. */
export function serviceBundle(name) {
  return join(ROOT, 'services', name, 'dist', 'main.mjs');
}

const metaOf = (outfile) => outfile.replace(/\.mjs$/, '.meta.json');

/** True when the bundle is missing or older than any file it was built from. */
export function isBundleStale(outfile) {
  const meta = metaOf(outfile);
  if (!existsSync(outfile) || !existsSync(meta)) return true;
  const built = statSync(outfile).mtimeMs;
  try {
    const { inputs, workingDir } = JSON.parse(readFileSync(meta, 'utf8'));
    return Object.keys(inputs).some((input) => {
      const p = join(workingDir ?? ROOT, input);
      return !existsSync(p) || statSync(p).mtimeMs > built;
    });
  } catch {
    return true;
  }
}

/**
 * Source files that find their neighbours through `import.meta.url` (Lua scripts, C sources, the
 * dashboard's client) keep finding them from the bundle: in a workspace file, `import.meta.url`
 * becomes the URL of that source file, computed from the bundle's own location, so the bundle
 * stays relocatable together with the tree.
 */
function sourceUrls(outfile) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(dirname(outfile), args.path).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * Treat the given workspace packages as free of side effects, so esbuild drops the modules a
 * program never reaches through their index files.
 */
export function sideEffectFree(packages) {
  const names = packages.join('|');
  const byName = new RegExp(`^@kjobs/(${names})$`);
  const bySource = new RegExp(`[\\\\/]packages[\\\\/](${names})[\\\\/]src[\\\\/]`);
  return {
    name: 'side-effect-free-workspace-packages',
    setup(build) {
      build.onResolve({ filter: /^@kjobs\/|^\.\.?\// }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        if (!byName.test(args.path) && !bySource.test(args.importer)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        return resolved.errors.length ? undefined : { ...resolved, sideEffects: false };
      });
    },
  };
}

/** The unpack worker's entry; packages/oci/src/unpack-workers.ts starts it from the bundled script. */
const UNPACK_WORKER = join(ROOT, 'packages', 'oci', 'src', 'unpack-worker.ts');
let unpackWorker;

/**
 * The unpack worker bundled into one CommonJS script (a worker thread started with `eval`, so the
 * bundle needs no file beside it), with the esbuild metafile inputs it was built from. Built once
 * per process.
 */
function unpackWorkerScript(esbuild) {
  unpackWorker ??= esbuild.build({
    entryPoints: [UNPACK_WORKER], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    write: false, metafile: true, logLevel: 'warning', legalComments: 'none', absWorkingDir: ROOT,
  }).then((r) => ({ text: r.outputFiles[0].text, inputs: r.metafile.inputs }));
  return unpackWorker;
}

/**
 * Build one bundle with esbuild (a dev dependency, loaded only here). Writes temporary files and
 * renames them, so concurrent builders never expose a half-written bundle; the bundle's mtime is
 * the build's start, so a source saved during the build makes it stale.
 */
export async function buildBundle({ entry, outfile, plugins = [], external = [] }) {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const started = new Date();
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  const worker = await unpackWorkerScript(esbuild);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    // CommonJS dependencies (ioredis, commander, yaml, ...) get a require for their node: imports.
    banner: { js: "import { createRequire as __kjobsRequire } from 'node:module';\nconst require = __kjobsRequire(import.meta.url);" },
    // ws loads these native speed-ups only if they are installed.
    external: ['bufferutil', 'utf-8-validate', ...external],
    // Where a program unpacks image layers, its workers run this script (unpack-workers.ts).
    define: { KJOBS_UNPACK_WORKER_SOURCE: JSON.stringify(worker.text) },
    outfile: tmp,
    absWorkingDir: ROOT,
    plugins: [sourceUrls(outfile), ...plugins],
  });
  const meta = metaOf(outfile);
  // Where the bundle starts unpack workers, the worker's sources make it stale too.
  const usesWorker = Object.keys(result.metafile.inputs).some((f) => f.endsWith('packages/oci/src/unpack-workers.ts'));
  const inputs = usesWorker ? { ...worker.inputs, ...result.metafile.inputs } : result.metafile.inputs;
  writeFileSync(`${meta}.${process.pid}.tmp`, JSON.stringify({ ...result.metafile, inputs, workingDir: ROOT }));
  utimesSync(tmp, started, started);
  renameSync(tmp, outfile);
  renameSync(`${meta}.${process.pid}.tmp`, meta);
}

/** Bundle the services whose bundle is missing or stale (all of them with `force`), in parallel. */
export async function ensureServiceBundles({ force = false, names = SERVICES } = {}) {
  const stale = names.filter((n) => force || isBundleStale(serviceBundle(n)));
  await Promise.all(stale.map((n) => buildBundle({ entry: join(ROOT, 'services', n, 'src', 'main.ts'), outfile: serviceBundle(n) })));
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // node scripts/bundle.mjs [--force] [service ...]
  const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SERVICES.includes(n));
  if (unknown.length) {
    console.error(`bundle: no service ${unknown.join(', ')} (services: ${SERVICES.join(', ')})`);
    process.exit(2);
  }
  const chosen = names.length ? names : SERVICES;
  const built = await ensureServiceBundles({ force: process.argv.includes('--force'), names: chosen });
  for (const n of chosen) {
    const state = built.includes(n) ? 'built' : 'up to date';
    console.log(`${relative(ROOT, serviceBundle(n))}: ${state} (${(statSync(serviceBundle(n)).size / 1024).toFixed(0)} KiB)`);
  }
}
