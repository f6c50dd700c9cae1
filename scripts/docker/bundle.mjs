// The container image's JavaScript: the five services (scripts/bundle.mjs), the compose
// one-shots `init` and `registry-seed` and the HA layout's `haproxy` entry bundled the same way into scripts/dist/*.mjs, so the
// runtime image runs plain node with no node_modules and no TypeScript loader.
//   node scripts/docker/bundle.mjs [--force]
import { join, relative } from 'node:path';
import { ROOT, buildBundle, ensureServiceBundles, isBundleStale, serviceBundle, SERVICES } from '../bundle.mjs';

/** compose service → its script, bundled to scripts/dist/<name>.mjs. */
export const ONE_SHOTS = { 'compose-init': 'scripts/compose-init.ts', 'registry-seed': 'scripts/registry-seed.ts', 'compose-haproxy': 'scripts/compose-haproxy.ts' };

/** Where a one-shot's bundle is. */
export const oneShotBundle = (name) => join(ROOT, 'scripts', 'dist', `${name}.mjs`);

/** Bundle the services and one-shots that are missing or stale (all with `force`). */
export async function ensureImageBundles({ force = false } = {}) {
  const stale = Object.keys(ONE_SHOTS).filter((n) => force || isBundleStale(oneShotBundle(n)));
  await Promise.all([
    ensureServiceBundles({ force }),
    ...stale.map((n) => buildBundle({ entry: join(ROOT, ONE_SHOTS[n]), outfile: oneShotBundle(n) })),
  ]);
}

if (process.argv[1] && relative(process.argv[1], new URL(import.meta.url).pathname) === '') {
  await ensureImageBundles({ force: process.argv.includes('--force') });
  console.log([...SERVICES.map(serviceBundle), ...Object.keys(ONE_SHOTS).map(oneShotBundle)].map((f) => relative(ROOT, f)).join('\n'));
}
