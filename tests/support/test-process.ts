/** Spawned-process helpers shared by the kuard and memq integration tests (test support, not a package). */
import { spawn, type ChildProcess } from 'node:child_process';

/** A spawned process with its output collected. */
export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** SIGKILL the whole process group (the child was spawned detached, as its group leader). */
  kill: (signal?: NodeJS.Signals) => void;
}

/** Spawn a command in its own process group, collecting stdout/stderr. */
export function start(command: string, args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Proc {
  const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
    },
  };
}

/** A port that was free a moment ago on 127.0.0.1 (the one helper of scripts/infra.ts). */
export { freePort } from '../../scripts/infra.js';

/** Poll `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
