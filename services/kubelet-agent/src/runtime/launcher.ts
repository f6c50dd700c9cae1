import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import os, { constants as osc } from 'node:os';
import { fileURLToPath } from 'node:url';
import { corkForTurn } from '@kjobs/bus';
import type { Logger } from './logger.js';
import { compileNative } from './native-build.js';

/**
 * The native launcher (native/kjobs-launcher.c): one small process per runtime that forks and
 * execs every container run and is its shim (waits for it, writes its exit file), so the
 * ~150 MiB agent never forks per pod. See the C file for the protocol and its lifetime.
 *
 * The binary is found in this order: KJOBS_LAUNCHER (a path, or `off` for the sh shim); else
 * native/kjobs-launcher when newer than its source (the container image builds it); else the
 * source compiled once with `cc` (or $CC) into a cache directory keyed by the source's hash
 * (KJOBS_CACHE_DIR, else ~/.cache/kjobs). Without a C compiler the runtime falls back to the sh
 * shim, which behaves the same, only slower.
 */

const SOURCE = fileURLToPath(new URL('../../native/kjobs-launcher.c', import.meta.url));

/** What a launcher reports about one run it started: exit like a ChildProcess. */
export class LaunchedRun extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  /** Set when the launcher died before the run ended: its exit is no longer reported. */
  lost = false;
  constructor(readonly pid: number) {
    super();
  }
}

export interface LaunchRequest {
  cwd: string;
  logFile: string;
  exitFile: string;
  argv: [string, ...string[]];
  env: Record<string, string>;
}

const signalName = (n: number): NodeJS.Signals | null =>
  (Object.entries(osc.signals).find(([, v]) => v === n)?.[0] as NodeJS.Signals | undefined) ?? null;

/** A running launcher process and the runs it started. */
export class Launcher {
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, { resolve(run: LaunchedRun): void; reject(e: Error): void }>();
  private readonly runs = new Map<number, LaunchedRun>();
  private nextId = 1;
  private buffered = '';
  private dead: Error | undefined;
  /** close() was called: the launcher ending is expected. */
  private closing = false;

  private constructor(binary: string, private readonly log: Logger, cwd?: string, exitJournalDir?: string) {
    // Nothing of the agent's environment (credentials): runs get their env in each request.
    this.child = spawn(binary, exitJournalDir ? [exitJournalDir] : [], { stdio: ['pipe', 'pipe', 'inherit'], env: {}, ...(cwd ? { cwd } : {}) });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (d: string) => this.onData(d));
    this.child.stdin?.on('error', () => {});
    this.child.on('error', (e) => this.onDeath(e));
    this.child.on('exit', (code, sig) => this.onDeath(new Error(`the launcher exited (${sig ?? code})`)));
  }

  /**
   * Start a launcher (in `cwd`, e.g. the runtime's root) and resolve once it runs. With
   * `exitJournalDir` (an existing directory) it journals exit statuses there (exit-journal.ts)
   * instead of writing each run's exit file.
   */
  static async start(binary: string, log: Logger, cwd?: string, exitJournalDir?: string): Promise<Launcher> {
    const l = new Launcher(binary, log, cwd, exitJournalDir);
    await new Promise<void>((resolve, reject) => {
      l.child.once('spawn', resolve);
      l.child.once('error', reject);
    });
    // The agent may exit while the launcher (and the runs) go on; EOF on stdin ends the launcher.
    l.child.unref();
    (l.child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (l.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return l;
  }

  /** The launcher process's pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Start one run; resolves with its handle once its shim runs (pid = its process group). */
  async launch(r: LaunchRequest): Promise<LaunchedRun> {
    if (this.dead) throw this.dead;
    const id = String(this.nextId++);
    const env = Object.entries(r.env).map(([k, v]) => `${k}=${v}`);
    const fields = [id, r.cwd, r.logFile, r.exitFile, String(r.argv.length), ...r.argv, String(env.length), ...env];
    if (fields.some((f) => f.includes('\0'))) throw new Error('an argument or environment value contains a NUL byte');
    const payload = Buffer.from(`${fields.join('\0')}\0`);
    const frame = Buffer.allocUnsafe(4 + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    payload.copy(frame, 4);
    return new Promise<LaunchedRun>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const stdin = this.child.stdin;
      if (!stdin) return;
      // The launches of one event-loop turn go out in one write (a pipe write costs 0.1-0.3 ms
      // of CPU on these machines, with the launcher's wake-up).
      corkForTurn(stdin);
      stdin.write(frame);
    });
  }

  /** Take no more requests; the launcher exits once the runs it has ended (it records them). */
  close(): void {
    this.closing = true;
    this.child.stdin?.end();
  }

  private onData(d: string): void {
    this.buffered += d;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const [kind, a = '', b = '', c = ''] = line.split(' ');
      if (kind === 'S' || kind === 'F') {
        const p = this.pending.get(a);
        this.pending.delete(a);
        if (kind === 'S') {
          // Registered before the next line is read: its X line may follow in the same chunk.
          const run = new LaunchedRun(Number(b));
          this.runs.set(run.pid, run);
          p?.resolve(run);
        }
        else p?.reject(Object.assign(new Error(`spawn ${errnoName(Number(b))}`), { errno: Number(b) }));
      } else if (kind === 'X') {
        const run = this.runs.get(Number(a));
        if (!run) continue;
        this.runs.delete(run.pid);
        const code = Number(b);
        run.exitCode = code >= 0 ? code : null;
        run.signalCode = code >= 0 ? null : signalName(Number(c));
        run.emit('exit', run.exitCode, run.signalCode);
      }
    }
  }

  private onDeath(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    // After close() the launcher ends by design (once its runs have); only an unasked end is news.
    if (this.closing) this.log.debug({ err: e.message }, 'the container launcher ended after close');
    else this.log.warn({ err: e.message }, 'the container launcher ended; runs it started are watched by pid');
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const run of this.runs.values()) {
      run.lost = true;
      run.emit('lost');
    }
    this.runs.clear();
  }
}

/** The errno's name (ENOENT, EACCES, …), as Node's spawn errors give it. */
function errnoName(n: number): string {
  return Object.entries(os.constants.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
}

/**
 * The launcher binary to use, or undefined for the sh shim (KJOBS_LAUNCHER=off, not Linux, or
 * no C compiler). Compiles at most once per source version and machine.
 */
export async function launcherBinary(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const setting = env.KJOBS_LAUNCHER;
  if (setting === 'off') return undefined;
  if (setting) return setting;
  if (process.platform !== 'linux') return undefined;
  // Built with the image (Dockerfile): used while it is newer than its source.
  const prebuilt = SOURCE.replace(/\.c$/, '');
  const [pre, src] = await Promise.all([stat(prebuilt).catch(() => undefined), stat(SOURCE).catch(() => undefined)]);
  if (pre?.isFile() && src && pre.mtimeMs >= src.mtimeMs) return prebuilt;
  return compileNative(SOURCE, 'kjobs-launcher', 'container launcher', log, env);
}
