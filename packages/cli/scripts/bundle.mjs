// The kjobs CLI as one file: src/main.ts with commander, yaml and the @kjobs packages inlined
// into dist/kjobs.mjs, built the one way the repository bundles (scripts/bundle.mjs at the root).
// `node scripts/bundle.mjs` builds it (npm run build, prepack); bin/kjobs.mjs imports
// isBundleStale/buildBundle only in a checkout (where src/ exists).
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle as build, isBundleStale as stale, sideEffectFree } from '../../../scripts/bundle.mjs';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The bundle bin/kjobs.mjs runs. */
export const BUNDLE = join(PKG_DIR, 'dist', 'kjobs.mjs');

/** True when the bundle is missing or older than any file it was built from. */
export const isBundleStale = () => stale(BUNDLE);

/**
 * Build dist/kjobs.mjs. The workspace packages the CLI imports (@kjobs/api, client, bus) count
 * as free of side effects, so esbuild drops the modules the CLI never reaches through their
 * index files (NATS, informers, leader election: ~200 KB less to parse at every start).
 */
export const buildBundle = () => build({ entry: join(PKG_DIR, 'src', 'main.ts'), outfile: BUNDLE, plugins: [sideEffectFree(['api', 'client', 'bus'])] });

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBundle();
  console.log(`built dist/kjobs.mjs (${(statSync(BUNDLE).size / 1024).toFixed(0)} KiB)`);
}
