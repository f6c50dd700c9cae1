import { renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { stateFile } from './layout.js';
import type { PodRecord } from './state.js';

/**
 * Persist a pod record with write-then-rename, so a crash leaves the old or the new file,
 * never a torn one. Callers serialise writes per pod. Synchronous on purpose: a few KiB to a
 * local file costs ~0.08 ms of CPU this way against ~0.27 ms (and far more under load) through
 * the thread pool and promises, and it runs twice per pod.
 */
export async function savePodRecord(rootDir: string, record: PodRecord, json = JSON.stringify(record)): Promise<void> {
  const path = stateFile(rootDir, record.uid);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, json);
  renameSync(tmp, path);
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
