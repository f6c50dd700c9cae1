#!/usr/bin/env node
// The kjobs command: runs the one-file bundle dist/kjobs.mjs. In a checkout (src/ beside it) the
// bundle is built first when it is missing or older than any file it was built from; an
// installed package (npm pack) ships dist/ only and starts it at once.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/main.ts', import.meta.url))) {
  const { isBundleStale, buildBundle } = await import('../scripts/bundle.mjs');
  if (isBundleStale()) await buildBundle();
}
await import('../dist/kjobs.mjs');
