import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OCI runtime binary a node drives, with its state directory (`--root`). */
export class Runc {
  constructor(
    readonly binary: string,
    readonly version: string,
    /** runc's state directory: one per node, so nodes sharing a machine never see each other's containers. */
    readonly root: string,
  ) {}

  /**
   * Find runc: `KJOBS_RUNC` or `runc` on PATH, with its version (`runc version 1.1.5`).
   * Undefined when it cannot be run.
   */
  static async find(binary = process.env.KJOBS_RUNC || 'runc'): Promise<{ binary: string; version: string } | undefined> {
    try {
      const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
      const m = /runc version (\S+)/.exec(stdout);
      return m ? { binary, version: m[1]! } : undefined;
    } catch {
      return undefined;
    }
  }

  /** argv of `runc run` in the foreground: runc forwards signals to the container and exits with its status; `--keep` leaves the cgroup for the OOM check. */
  runArgv(bundle: string, id: string): string[] {
    return [this.binary, '--root', this.root, 'run', '--keep', '--bundle', bundle, id];
  }

  /** argv prefix of `runc exec <id>`: a command run in the container's namespaces, cgroup, user and env. */
  execArgv(id: string): string[] {
    return [this.binary, '--root', this.root, 'exec', id];
  }

  /**
   * Resolves true once runc has written the container's state (it exists, so `runc exec` can
   * join it), false after `timeoutMs`. A file check every 10 ms: no runc process per poll.
   */
  async whenCreated(id: string, timeoutMs: number): Promise<boolean> {
    const file = path.join(this.root, id, 'state.json');
    for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(10)) if (existsSync(file)) return true;
    return existsSync(file);
  }

  /** Send a signal to the container's init (`runc kill`); false when the container is not running. */
  async kill(id: string, signal = 'KILL'): Promise<boolean> {
    try {
      await run(this.binary, ['--root', this.root, 'kill', id, signal], { timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** Delete the container (`--force` kills it first): its state and cgroup go. Never throws. */
  async delete(id: string): Promise<void> {
    await run(this.binary, ['--root', this.root, 'delete', '--force', id], { timeout: 30_000 }).catch(() => undefined);
  }

  /** Ids of every container in this state directory. */
  async list(): Promise<string[]> {
    try {
      const { stdout } = await run(this.binary, ['--root', this.root, 'list', '-q'], { timeout: 10_000 });
      return stdout.split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }
}
