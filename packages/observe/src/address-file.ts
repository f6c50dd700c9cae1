import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Write `file` whole or not at all: a temporary file beside it, renamed over it. A reader sees
 * the old content or the new, never a truncated file (the api-server rewrites the kubeconfig at
 * every start while kubectl or a test may be reading it).
 */
export function writeFileAtomically(file: string, data: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

/** Write a service's bound URL to `file` (one line), atomically (scripts/cluster.ts collects them into endpoints.json). */
export function writeAddressFile(file: string, url: string): void {
  writeFileAtomically(file, `${url}\n`);
}
