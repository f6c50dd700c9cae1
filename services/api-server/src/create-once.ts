import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The contents of `file`, made with `make()` when it does not exist. Several api-servers sharing
 * one KJOBS_HOME may start at once: the file is written whole under a temporary name and then
 * hard-linked into place, which fails if another got there first — then that one's contents win.
 * No reader ever sees a half-written file.
 */
export function readOrCreateFile(file: string, make: () => string, mode = 0o600): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, make(), { mode });
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(file, 'utf8');
}

/**
 * Make directory `dir` with the files `write(tmp)` puts into a temporary sibling, unless another
 * process made `dir` first. The sibling is renamed into place (atomic; fails when `dir` exists and
 * is not empty), so `dir` is either absent, empty, or complete. Returns false when another won.
 */
export function createDirOnce(dir: string, write: (tmp: string) => void): boolean {
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
  mkdirSync(tmp, { mode: 0o700 });
  try {
    write(tmp);
    renameSync(tmp, dir);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    return false;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
