import { join } from 'node:path';

/**
 * The one module that knows the runtime's directory layout under `rootDir`:
 * ```
 * <rootDir>/kjobs-shim.sh                              the container shim (written at start)
 * <rootDir>/state.journal                             every PodRecord, appended per save (StateJournal)
 * <rootDir>/exits/<launcher pid>[.old].log             "<status> <epoch ms> <exit file>" lines the launcher appends
 * <rootDir>/pods/<uid>/                                the pod's working directory and HOME
 * <rootDir>/logs/<uid>.<container>.<n>.log             stdout+stderr of run n (written by the child)
 * <rootDir>/logs/<uid>.<container>.<n>.times           "<byte offset> <epoch ms>" lines: when bytes were seen
 * <rootDir>/logs/<uid>.<container>.<n>.exit            exit status of run n (the sh shim writes it; the launcher
 *                                                      journals it under exits/ with this path as the key)
 * ```
 * One directory a pod, no more: creating a directory or file costs 0.1–0.75 ms of CPU on ext4 on
 * these machines, so logs and exit records live in node-wide places, and the container's own
 * directory holds only what the container writes there.
 * Pods run as the agent's user: a container could read and write these files too. kjobs runs
 * trusted batch programs; it is not a sandbox.
 */

/** Pod uids and container names become path segments: only these characters are accepted. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** True when `s` is safe as one path segment (no `/`, no `..`). */
export function isSafeSegment(s: string): boolean {
  return SAFE_SEGMENT.test(s) && s !== '.' && s !== '..';
}

/** Throws when `s` is not a safe path segment; `what` names it in the message. */
export function assertSafeSegment(s: string, what: string): void {
  if (!isSafeSegment(s)) throw new Error(`invalid ${what} "${s}": not usable as a directory name`);
}

/** `<rootDir>/pods`. */
export const podsDir = (root: string): string => join(root, 'pods');
/** `<rootDir>/pods/<uid>`: the pod's working directory and HOME. */
export const podDir = (root: string, uid: string): string => join(root, 'pods', uid);
/** `<rootDir>/state.journal`. */
export const stateJournalFile = (root: string): string => join(root, 'state.journal');
/** `<rootDir>/exits`: the launchers' exit journals. */
export const exitJournalDir = (root: string): string => join(root, 'exits');
/** `<rootDir>/logs`: every run's log, log times and exit file, of every pod. */
export const logsDir = (root: string): string => join(root, 'logs');
/** `<rootDir>/logs/<uid>.<container>.<attempt>.log` (container names are DNS labels: no dots). */
export const logFile = (root: string, uid: string, container: string, attempt: number): string =>
  join(logsDir(root), `${uid}.${container}.${attempt}.log`);
/** `<rootDir>/logs/<uid>.<container>.<attempt>.times`. */
export const logTimesFile = (root: string, uid: string, container: string, attempt: number): string =>
  join(logsDir(root), `${uid}.${container}.${attempt}.times`);
/** `<rootDir>/logs/<uid>.<container>.<attempt>.exit`. */
export const exitFile = (root: string, uid: string, container: string, attempt: number): string =>
  join(logsDir(root), `${uid}.${container}.${attempt}.exit`);
/** The pod uid a file in logsDir belongs to, or undefined for another name. */
export function logFileUid(name: string): string | undefined {
  const m = /^(.+)\.[a-z0-9-]+\.\d+\.(?:log|times|exit|exit\.tmp)$/.exec(name);
  return m?.[1];
}
/** `<rootDir>/kjobs-shim.sh`. */
export const shimFile = (root: string): string => join(root, 'kjobs-shim.sh');
