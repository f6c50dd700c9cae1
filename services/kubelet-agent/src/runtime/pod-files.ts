import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { badRequest } from '@kjobs/api';
import { exitFile, isSafeSegment, logFile, logFileUid, logTimesFile, logsDir, podDir, podsDir } from './layout.js';
import { type LogOptions, followLogFile, readLogFile } from './logs.js';
import type { CompiledOptions } from './runtime-options.js';
import type { ContainerInstance, ContainerRecord, PodRecord } from './state.js';

/**
 * A container's log with `kubectl logs` options. Throws ApiError 400 as the kubelet does for an
 * unknown container, one that never started, or a missing previous run.
 */
export async function readContainerLogs(o: CompiledOptions, r: PodRecord | undefined, podUid: string, container: string, opts: LogOptions): Promise<string> {
  const { inst } = logTarget(r, podUid, container, opts);
  const log = logFile(o.rootDir, podUid, container, inst.attempt);
  const times = logTimesFile(o.rootDir, podUid, container, inst.attempt);
  return (await readLogFile(log, times, opts, o.now())).toString('utf8');
}

/**
 * Stream a container's log (`kubectl logs -f`): what is there, then new output, until the run
 * ends, `limitBytes` is reached, `isClosed()` or `signal` aborts. Chunks are whole UTF-8
 * characters. Throws like readContainerLogs.
 */
export async function followContainerLogs(o: CompiledOptions, r: PodRecord | undefined, podUid: string, container: string, follow: { opts: LogOptions; onChunk: (chunk: string) => void; signal: AbortSignal; isClosed: () => boolean }): Promise<void> {
  const { opts, onChunk } = follow;
  const { rec, inst } = logTarget(r, podUid, container, opts);
  const decoder = new StringDecoder('utf8');
  await followLogFile({
    logPath: logFile(o.rootDir, podUid, container, inst.attempt),
    timesPath: logTimesFile(o.rootDir, podUid, container, inst.attempt),
    opts,
    signal: follow.signal,
    onChunk: (b) => {
      const s = decoder.write(b);
      if (s) onChunk(s);
    },
    isDone: () => opts.previous === true || follow.isClosed() || rec.current !== inst || inst.finishedAt !== undefined,
    now: o.now,
    pollMs: o.pollIntervalMs,
  });
  const rest = decoder.end();
  if (rest) onChunk(rest);
}

/** Delete every log, log-times and exit file of every run the record knows (attempts 0 … the latest). */
export async function removeRunFiles(rootDir: string, r: PodRecord): Promise<void> {
  const files: string[] = [];
  for (const c of Object.values(r.containers)) {
    const last = Math.max(c.restartCount, c.current?.attempt ?? 0);
    for (let n = 0; n <= last; n++) {
      files.push(logFile(rootDir, r.uid, c.name, n), logTimesFile(rootDir, r.uid, c.name, n), exitFile(rootDir, r.uid, c.name, n));
    }
  }
  await Promise.all(files.map((f) => rm(f, { force: true })));
}

/**
 * Remove the pod directories and logs of pods that are neither kept nor known (a crash between
 * removing a pod and its files). Returns the uids of the directories removed.
 */
export async function removeStrayPodFiles(rootDir: string, isKept: (uid: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const uid of await readdir(podsDir(rootDir)).catch(() => [] as string[])) {
    if (!isKept(uid) && isSafeSegment(uid)) {
      await rm(podDir(rootDir, uid), { recursive: true, force: true });
      removed.push(uid);
    }
  }
  const logs = logsDir(rootDir);
  for (const name of await readdir(logs).catch(() => [] as string[])) {
    const uid = logFileUid(name);
    if (uid !== undefined && !isKept(uid)) await rm(join(logs, name), { force: true });
  }
  return removed;
}

function logTarget(r: PodRecord | undefined, podUid: string, container: string, opts: LogOptions): { rec: ContainerRecord; inst: ContainerInstance } {
  const rec = r && Object.hasOwn(r.containers, container) ? r.containers[container] : undefined;
  const podName = r?.name ?? podUid;
  if (!rec) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  if (opts.previous) {
    if (!rec.previous) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return { rec, inst: rec.previous };
  }
  if (!rec.current) throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${rec.waiting?.reason ?? 'ContainerCreating'}`);
  return { rec, inst: rec.current };
}
