import type { Pod, PodSpec } from '@kjobs/api';
import type { ContainerInstance, ContainerRecord, PodRecord } from '../runtime/state.js';

/** Shared builders for the runtime's pure tests (not part of the public API). */

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A pod with regular containers `names` (and init containers `init`). */
export function fixturePod(spec: Partial<PodSpec> & { names?: string[]; init?: string[] } = {}): Pod {
  const { names = ['c'], init, ...rest } = spec;
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: { containers: names.map((n) => ({ name: n, image: 'busybox' })), ...rest },
  };
  if (init) pod.spec.initContainers = init.map((n) => ({ name: n, image: 'busybox' }));
  return pod;
}

/** A run: running when `exitCode` is undefined. */
export function run(attempt: number, startedMs: number, exitCode?: number, finishedMs?: number): ContainerInstance {
  const inst: ContainerInstance = { attempt, pid: 100 + attempt, pgid: 100 + attempt, startedAt: iso(startedMs), imageID: 'kjobs-host://sh' };
  if (exitCode !== undefined) {
    inst.exitCode = exitCode;
    inst.finishedAt = iso(finishedMs ?? startedMs + 1000);
    inst.reason = exitCode === 0 ? 'Completed' : 'Error';
  }
  return inst;
}

/** A container record. */
export function crec(name: string, over: Partial<ContainerRecord> = {}, init = false): ContainerRecord {
  return { name, init, restartCount: 0, ready: false, started: false, ...over };
}

/** A pod record for `pod` with the given container records (missing ones are fresh). */
export function precord(pod: Pod, containers: ContainerRecord[] = [], over: Partial<PodRecord> = {}): PodRecord {
  const byName: Record<string, ContainerRecord> = {};
  for (const c of pod.spec.initContainers ?? []) byName[c.name] = crec(c.name, {}, true);
  for (const c of pod.spec.containers) byName[c.name] = crec(c.name);
  for (const c of containers) byName[c.name] = c;
  return { uid: 'u1', namespace: 'ns', name: 'p', pod, podIP: '127.1.0.2', hostIP: '127.0.0.1', startTime: iso(T0), containers: byName, ...over };
}
