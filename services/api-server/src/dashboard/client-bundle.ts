import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The dashboard's script, bundled, with an ETag of its content. */
export interface ClientBundle {
  js: string;
  etag: string;
}

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));

/**
 * Bundle client/main.ts into one minified browser script with esbuild (the compiler tsx runs on,
 * so it is present wherever the api-server runs). In memory: nothing is written to disk.
 */
export async function buildClientBundle(): Promise<ClientBundle> {
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
  const js = result.outputFiles[0]!.text;
  return { js, etag: `"${createHash('sha256').update(js).digest('base64url').slice(0, 27)}"` };
}
