import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The dashboard's script, bundled, with an ETag of its content. */
export interface ClientBundle {
  js: string;
  etag: string;
}

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));
/** The script as the container image ships it (scripts/docker/prebuild.ts writes it; no sources there). */
export const PREBUILT_CLIENT = fileURLToPath(new URL('../../dist/dashboard-client.js', import.meta.url));

/**
 * Bundle client/main.ts into one minified browser script with esbuild (the compiler tsx runs on,
 * so it is present wherever the api-server runs from source). In memory: nothing is written to
 * disk. Where the sources are not shipped (the container image), the prebuilt script is served.
 */
export async function buildClientBundle(): Promise<ClientBundle> {
  const js = existsSync(ENTRY) ? await bundleClient() : readFileSync(PREBUILT_CLIENT, 'utf8');
  return { js, etag: `"${createHash('sha256').update(js).digest('base64url').slice(0, 27)}"` };
}

async function bundleClient(): Promise<string> {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.outputFiles[0]!.text;
}
