// Bundle src/main.ts into dist/kuard.mjs (one ESM file for node, @kjobs/memq inlined), plus the
// esbuild metafile kuardCommand() uses to tell whether the bundle is stale. The options match
// KUARD_BUILD_OPTIONS in src/index.ts.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(pkgDir, 'dist'), { recursive: true });
const result = await build({
  entryPoints: [join(pkgDir, 'src', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  metafile: true,
  logLevel: 'warning',
  outfile: join(pkgDir, 'dist', 'kuard.mjs'),
  absWorkingDir: pkgDir,
});
writeFileSync(join(pkgDir, 'dist', 'kuard.meta.json'), JSON.stringify(result.metafile));
console.log(`built ${join('dist', 'kuard.mjs')} (${Object.keys(result.metafile.inputs).length} inputs)`);
