import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { badRequest, internalError } from '@kjobs/api';
import { findExecutable } from './container-process.js';
import { DEFAULT_PATH } from './env.js';
import { signalGroup } from './proc.js';

/** How `kubectl exec` wants the command run. */
export interface ExecOptions {
  /** A terminal was asked for (`-t`): stderr comes on stdout, as from a terminal. */
  tty: boolean;
  /** The client sends stdin (`-i`); without it the command's stdin is closed. */
  stdin: boolean;
}

/** A command started in a container, child-process-like. */
export interface ExecProcess {
  /** Null when `stdin` was not asked for. */
  stdin: Writable | null;
  stdout: Readable;
  /** Null with a tty (merged into stdout). */
  stderr: Readable | null;
  /** The exit code once the command and its pipes are done (128 + signal number when killed). */
  exit: Promise<number>;
  /** End the command and everything it started. */
  kill(): void;
}

/**
 * What a runtime offers `kubectl exec`: start `argv` inside a running container of a pod. Rejects
 * with an ApiError (400 `container not found ("name")` when the container is not running).
 * The process runtime's is `ProcessRuntime.exec` (execInPod); a container runtime's runs
 * `runc exec` with the same contract.
 */
export type ExecInContainer = (podUid: string, container: string, argv: string[], opts: ExecOptions) => Promise<ExecProcess>;

/** Where the process runtime runs a container: its environment and working directory. */
export interface ExecTarget {
  env: Record<string, string>;
  cwd: string;
  /** False once the container's run has ended: the command is then killed, as with its container. */
  isRunning(): boolean;
  /**
   * argv prefix that enters the container (`runc exec <id>` for an OCI run): the command then
   * runs with the container's own root, environment and directory, which runc looks up itself.
   */
  execPrefix?: string[];
}

/** How often an exec'd command checks that its container still runs. */
const CONTAINER_CHECK_MS = 1_000;

/**
 * The process runtime's exec. Does:
 * 1. refuse when the container does not run (`target` undefined), as the kubelet does;
 * 2. an OCI run: spawn `execPrefix` + argv (runc exec: the container's root, env and directory);
 * 3. else find the program with the container's PATH (an ApiError like runc's "executable file
 *    not found") and spawn it in the pod's directory with the container's environment, with a
 *    tty under `script` (util-linux) when there is one, so the command sees a terminal;
 * 4. either way in its own process group, stdio piped; with a tty stderr comes on stdout;
 * 5. kill the group when the container's run ends or `kill()` is called.
 */
export async function execInPod(target: ExecTarget | undefined, container: string, argv: string[], opts: ExecOptions): Promise<ExecProcess> {
  if (!target || !target.isRunning()) throw badRequest(`container not found ("${container}")`);
  const [program, ...args] = argv;
  if (!program) throw badRequest('you must specify at least one command for the container');
  if (target.execPrefix) return start(target, [...target.execPrefix, ...argv] as [string, ...string[]], { ...opts, tty: false }, opts.tty);
  const path = target.env.PATH ?? DEFAULT_PATH;
  if (!(await findExecutable(program, path, target.cwd))) {
    const why = program.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
    throw internalError(`error executing command in container: exec: "${program}": ${why}`);
  }
  const script = opts.tty ? await findExecutable('script', DEFAULT_PATH, target.cwd) : undefined;
  return start(target, script ? [script, '-q', '-e', '-c', argv.map(shellQuote).join(' '), '/dev/null'] : [program, ...args], opts, opts.tty);
}

/** Spawn `argv` for execInPod; `merged`: stderr comes on stdout (a terminal was asked for). */
function start(target: ExecTarget, [cmd, ...cmdArgs]: [string, ...string[]], opts: ExecOptions, merged: boolean): ExecProcess {
  const child = spawn(cmd, cmdArgs, {
    cwd: target.cwd,
    env: opts.tty ? { TERM: 'xterm', ...target.env } : target.env,
    detached: true,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const kill = () => {
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
  };
  const watch = setInterval(() => {
    if (!target.isRunning()) kill();
  }, CONTAINER_CHECK_MS);
  watch.unref();
  const exit = new Promise<number>((resolve, reject) => {
    child.once('error', (err) => {
      clearInterval(watch);
      reject(internalError(`error executing command in container: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearInterval(watch);
      // What it started in its group goes with it: nothing outlives an exec.
      kill();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 9));
    });
  });
  child.stdin?.on('error', () => undefined);
  // With a tty, stderr reads as stdout does from a terminal.
  return { stdin: child.stdin, stdout: merged ? merge(child.stdout!, child.stderr!) : child.stdout!, stderr: merged ? null : child.stderr!, exit, kill };
}

/** One stream of both, ended when both are. */
function merge(a: Readable, b: Readable): Readable {
  const out = new PassThrough();
  let open = 2;
  for (const r of [a, b]) {
    r.pipe(out, { end: false });
    r.once('end', () => {
      if (--open === 0) out.end();
    });
  }
  return out;
}

/** One POSIX shell word. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
