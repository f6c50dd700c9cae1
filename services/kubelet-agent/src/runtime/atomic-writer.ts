import { chmod, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PayloadFile } from './volumes.js';

/** The symlink naming the current payload directory, as Kubernetes' AtomicWriter names it. */
export const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

/** `..2026_12_07_10_21_28.` — the timestamp prefix of a payload directory (Go layout 2006_01_02_15_04_05). */
export function payloadDirPrefix(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

/** The first element of each payload path: the names shown at the top of the volume. */
function topLevelNames(files: readonly PayloadFile[]): Set<string> {
  return new Set(files.map((f) => f.path.split('/')[0]!));
}

/**
 * Write a volume's files the way Kubernetes' AtomicWriter does, so a reader never sees a mix of
 * old and new content:
 *
 * ```
 * <dir>/..2026_12_07_10_21_28.123/   the payload (files with their modes)
 * <dir>/..data -> ..2026_12_07_10_21_28.123
 * <dir>/<key>  -> ..data/<key>         one per top-level name
 * ```
 *
 * does: 1. write the new payload into a fresh timestamped directory; 2. point `..data_tmp` at it
 * and rename it over `..data` (one atomic rename: the swap); 3. add the top-level symlinks the new
 * payload has and remove those it lost; 4. remove the old payload directory.
 */
export async function writeAtomically(dir: string, files: readonly PayloadFile[], now: Date): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const old = await readlink(path.join(dir, DATA_DIR)).catch(() => undefined);
  const payload = await mkdtemp(path.join(dir, payloadDirPrefix(now)));
  await chmod(payload, 0o755);
  for (const f of files) {
    const target = path.join(payload, f.path);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, f.data, { mode: f.mode });
    await chmod(target, f.mode);
  }
  const tmp = path.join(dir, DATA_TMP);
  await rm(tmp, { force: true });
  await symlink(path.basename(payload), tmp);
  await rename(tmp, path.join(dir, DATA_DIR));
  const want = topLevelNames(files);
  for (const name of want) {
    const link = path.join(dir, name);
    const st = await lstat(link).catch(() => undefined);
    if (!st) await symlink(path.join(DATA_DIR, name), link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') || want.has(name)) continue;
    const st = await lstat(path.join(dir, name));
    if (st.isSymbolicLink()) await rm(path.join(dir, name), { force: true });
  }
  if (old && old !== path.basename(payload) && old.startsWith('..') && !old.includes('/')) await rm(path.join(dir, old), { recursive: true, force: true });
}
