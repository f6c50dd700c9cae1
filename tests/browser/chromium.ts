/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core.
 * A missing browser is a test failure with the command that installs it, never a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../../scripts/cluster.js';

/** Where Debian's package puts the browser (override with CHROMIUM_PATH). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the screenshots shown in the README go. */
export const IMAGES_DIR = path.join(ROOT, 'docs', 'images');

/** Launch headless Chromium with no network traffic of its own (no updates, sync or QUIC). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The browser tests need Debian's chromium package: ` +
        'apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The path of a screenshot under docs/images (the directory is created). */
export function screenshotPath(name: string): string {
  mkdirSync(IMAGES_DIR, { recursive: true });
  return path.join(IMAGES_DIR, name);
}
