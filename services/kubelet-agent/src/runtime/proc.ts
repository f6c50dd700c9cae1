import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Process facts from Linux /proc. Where /proc is missing (macOS) the helpers fall back to
 * `kill(pid, 0)`, which cannot tell a reused pid or a zombie apart.
 */

interface ProcStat {
  state: string;
  pgrp: number;
  starttime: number;
}

/** Fields of /proc/<pid>/stat we use; undefined when the process does not exist. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: parse after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime).
  return { state: rest[0] ?? '?', pgrp: Number(rest[2]), starttime: Number(rest[19]) };
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

function signalZeroAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The start time of a live process (clock ticks since boot), to detect pid reuse later. */
export function procStartTime(pid: number): number | undefined {
  return readProcStat(pid)?.starttime;
}

/**
 * True when `pid` is a live (non-zombie) process and — when `starttime` is given and /proc is
 * there — the same process that was recorded (not a reused pid).
 */
export function isProcessAlive(pid: number, starttime?: number): boolean {
  if (pid <= 0) return false;
  if (!hasProc) return signalZeroAlive(pid);
  const st = readProcStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return starttime === undefined || st.starttime === starttime;
}

/** Pids of the live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  if (pgid <= 0) return [];
  if (!hasProc) return signalZeroAlive(-pgid) ? [pgid] : [];
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') out.push(Number(name));
  }
  return out;
}

/**
 * Signal a whole process group. Safe against pid reuse: a pgid cannot be handed to a new process
 * while any member of the group lives, and when the leader is alive we check its start time.
 * Returns false when nothing was signalled.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals, leaderStart?: number): boolean {
  if (pgid <= 0) return false;
  const leader = hasProc ? readProcStat(pgid) : undefined;
  if (leader && leader.state !== 'Z' && leaderStart !== undefined && leader.starttime !== leaderStart) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signal one process (the shim); false when it is gone or not ours. */
export function signalProcess(pid: number, signal: NodeJS.Signals, starttime?: number): boolean {
  if (!isProcessAlive(pid, starttime)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolve once process group `pgid` has no live member, polling every `intervalMs`; false on timeout. */
export async function waitGroupGone(pgid: number, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
