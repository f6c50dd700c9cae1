import { readFile, rename, writeFile } from 'node:fs/promises';
import { stateFile } from './layout.js';
import type { PodRecord } from './state.js';

/**
 * Persist a pod record with write-then-rename, so a crash leaves the old or the new file,
 * never a torn one. Callers serialise writes per pod.
 */
export async function savePodRecord(rootDir: string, record: PodRecord): Promise<void> {
  const path = stateFile(rootDir, record.uid);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(record));
  await rename(tmp, path);
}

/** The saved record of a pod, or undefined when missing or unreadable. */
export async function loadPodRecord(rootDir: string, uid: string): Promise<PodRecord | undefined> {
  try {
    const rec = JSON.parse(await readFile(stateFile(rootDir, uid), 'utf8')) as PodRecord;
    return rec && rec.uid === uid && typeof rec.containers === 'object' ? rec : undefined;
  } catch {
    return undefined;
  }
}
