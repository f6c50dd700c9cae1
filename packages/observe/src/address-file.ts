import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Write a service's bound URL to `file` (one line), atomically: a reader (scripts/cluster.ts
 * collecting endpoints.json) sees the old address or the new one, never half of one.
 */
export function writeAddressFile(file: string, url: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${url}\n`);
  renameSync(tmp, file);
}
