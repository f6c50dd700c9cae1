import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { constants as fsc, mkdirSync } from 'node:fs';
import { access, open, readFile, stat } from 'node:fs/promises';
import { constants as osc } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readExitJournal } from './exit-journal.js';
import type { Launcher } from './launcher.js';
import { isProcessAlive, procStartTime, signalGroup } from './proc.js';

/** How to start one container run: by the native launcher, else under the sh shim at shimPath. */
export interface ShimLaunch {
  launcher?: Launcher;
  shimPath: string;
  exitFile: string;
  logFile: string;
  argv: [string, ...string[]];
  /** What the native launcher runs instead of argv, when it can do more itself (an overlay mount). */
  launcherArgv?: [string, ...string[]];
  env: Record<string, string>;
  cwd: string;
}

/**
 * What reports a run's end: a ChildProcess (sh shim) or a LaunchedRun (launcher). A LaunchedRun
 * emits 'lost' instead when its launcher died first; the run is then watched by pid.
 */
export interface RunChild extends EventEmitter {
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
}

/** A started run: the shim's pid (= pgid) and start time, and the handle that reports its exit. */
export interface StartedShim {
  pid: number;
  procStart?: number;
  child: RunChild;
}

/** How a run ended. */
export interface RunExit {
  exitCode: number;
  /** When known more precisely than "now" (the exit file's mtime after a recovery). */
  finishedAtMs?: number;
  /** Set when the status could not be learned (no exit file): ContainerStatusUnknown. */
  unknown?: boolean;
}

/**
 * Find the program like execvp would, with the container's PATH; undefined when it cannot be
 * run. A relative path with a slash is taken from `cwd`.
 */
export async function findExecutable(program: string, pathVar: string, cwd: string): Promise<string | undefined> {
  const key = `${program}\0${pathVar}\0${program.includes('/') && !isAbsolute(program) ? cwd : ''}`;
  const hit = found.get(key);
  if (hit && hit.atMs > Date.now() - FOUND_TTL_MS) return hit.path;
  const path = await lookUp(program, pathVar, cwd);
  if (path) {
    if (found.size >= 1000) found.clear();
    found.set(key, { path, atMs: Date.now() });
  } else found.delete(key);
  return path;
}

/**
 * Programs found lately: every pod of a Job runs the same one, and a PATH walk is a handful of
 * file-system calls. Only hits are kept, for 10 s (a program removed since then fails at exec,
 * exit code 127, instead of StartError).
 */
const found = new Map<string, { path: string; atMs: number }>();
const FOUND_TTL_MS = 10_000;

async function lookUp(program: string, pathVar: string, cwd: string): Promise<string | undefined> {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : join(cwd, program)]
    : pathVar.split(':').map((d) => join(d || '.', program));
  for (const c of candidates) {
    try {
      await access(c, fsc.X_OK);
      if ((await stat(c)).isFile()) return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * Start the shim as the leader of a new process group (`detached`), its stdout and stderr the
 * run's log file opened here and handed over as an fd: the child writes its log directly.
 * Rejects when the process cannot be spawned at all.
 */
export async function startShim(l: ShimLaunch): Promise<StartedShim> {
  // Node-wide directories (layout.ts), there after the first run: an EEXIST costs microseconds.
  // Synchronous: two tiny calls, cheaper than two trips through the thread pool.
  mkdirSync(dirname(l.logFile), { recursive: true });
  if (dirname(l.exitFile) !== dirname(l.logFile)) mkdirSync(dirname(l.exitFile), { recursive: true });
  if (l.launcher?.alive) {
    const run = await l.launcher.launch({ cwd: l.cwd, logFile: l.logFile, exitFile: l.exitFile, argv: l.launcherArgv ?? l.argv, env: l.env });
    const started: StartedShim = { pid: run.pid, child: run };
    const ps = procStartTime(run.pid);
    if (ps !== undefined) started.procStart = ps;
    return started;
  }
  const log = await open(l.logFile, 'a');
  try {
    const child = spawn('/bin/sh', [l.shimPath, l.exitFile, ...l.argv], {
      cwd: l.cwd,
      env: l.env,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid ?? 0));
    });
    child.removeAllListeners('error');
    child.on('error', () => {});
    // The agent must be able to exit while pods keep running.
    child.unref();
    const started: StartedShim = { pid, child };
    const ps = procStartTime(pid);
    if (ps !== undefined) started.procStart = ps;
    return started;
  } finally {
    await log.close();
  }
}

/** The exit status the shim wrote, or undefined when it did not write one. */
export async function readExitFile(path: string): Promise<{ code: number; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const code = Number.parseInt(text.trim(), 10);
    return Number.isFinite(code) ? { code, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolve when a run ends, with its exit status. With the child handle (we started it) the
 * 'exit' event is used; otherwise (re-attached after an agent restart) the shim's pid is polled
 * with its start time, so a reused pid is not mistaken for it. The exit record (the launchers'
 * journal in `exitJournalDir`, else the exit file) is the source of truth; without one, a shim killed by signal n gives 128+n (we SIGKILLed it), and a vanished
 * one gives 137 with `unknown`. Resolves undefined when `signal` aborts first.
 */
export async function waitForExit(
  run: { pid: number; procStart?: number; exitFile: string; exitJournalDir?: string; child?: RunChild },
  signal: AbortSignal,
  pollMs: number,
): Promise<RunExit | undefined> {
  const readExit = async () => (run.exitJournalDir !== undefined ? readExitJournal(run.exitJournalDir, run.exitFile) : undefined) ?? readExitFile(run.exitFile);
  let bySignal: NodeJS.Signals | null = null;
  let child = run.child;
  if (child && (child as { lost?: boolean }).lost) child = undefined;
  if (child && child.exitCode === null && child.signalCode === null) {
    const c = child;
    const ended = await new Promise<'exit' | 'lost' | 'abort'>((resolve) => {
      const done = (how: 'exit' | 'lost' | 'abort') => {
        c.removeListener('exit', onExit);
        c.removeListener('lost', onLost);
        signal.removeEventListener('abort', onAbort);
        resolve(how);
      };
      const onExit = (_code: number | null, sig: NodeJS.Signals | null) => {
        bySignal = sig;
        done('exit');
      };
      const onLost = () => done('lost');
      const onAbort = () => done('abort');
      c.once('exit', onExit);
      c.once('lost', onLost);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    if (ended === 'abort') return undefined;
    if (ended === 'lost') child = undefined;
  }
  if (child && (child.exitCode !== null || child.signalCode !== null)) {
    bySignal = child.signalCode;
  } else if (!child) {
    while (isProcessAlive(run.pid, run.procStart)) {
      if (signal.aborted) return undefined;
      await sleep(pollMs);
    }
  }
  // A run we watched end normally: its shim exits with the program's status (the exit file
  // holds the same number), so the file is read only when the shim itself was killed.
  if (child && child.exitCode !== null && !bySignal) return { exitCode: child.exitCode };
  let written = await readExit();
  if (!written && !child) {
    // The launcher writes a run's exit file before it reaps it: while the pid is still a zombie
    // (the same process, by start time), the file may be a moment away or not yet written.
    const deadline = Date.now() + 2_000;
    const same = () => {
      const st = procStartTime(run.pid);
      return st !== undefined && (run.procStart === undefined || st === run.procStart);
    };
    while (!written && Date.now() < deadline && same()) {
      await sleep(Math.min(pollMs, 20));
      written = await readExit();
    }
    written ??= await readExit();
  }
  if (written) return { exitCode: written.code, finishedAtMs: written.mtimeMs };
  if (bySignal) return { exitCode: 128 + (osc.signals[bySignal] ?? 9) };
  if (child) return { exitCode: child.exitCode ?? 137 };
  return { exitCode: 137, unknown: true };
}

/**
 * After the shim ended: SIGKILL whatever is left of its process group (the program's children),
 * as a container's processes all die with its init process. `procStart` is the shim's start
 * time: a live leader with another start time means the pgid now belongs to someone else.
 */
export function reapGroup(pgid: number, procStart?: number): void {
  signalGroup(pgid, 'SIGKILL', procStart);
}
