import { mkdir } from 'node:fs/promises';
import { exitJournalDir } from './layout.js';
import { Launcher, launcherBinary } from './launcher.js';
import type { Logger } from './logger.js';
import { installShim } from './shim.js';

/**
 * How the runtime's runs start: the sh shim (always installed: the fallback) and the native
 * launcher (started on first use, started again when it died; the shim alone when there is no
 * launcher binary or it cannot start).
 */
export class RunStarter {
  private shimPath: Promise<string> | undefined;
  private launcherPath: Promise<string | undefined> | undefined;
  private liveLauncher: Launcher | undefined;
  private launcherStarting: Promise<Launcher | undefined> | undefined;

  /**
   * `launcher`: a binary's path, false for none, undefined to find or build it (launcherBinary).
   * No launcher starts once `isClosed()`.
   */
  constructor(private readonly rootDir: string, private readonly launcher: string | false | undefined, private readonly log: Logger, private readonly isClosed: () => boolean) {}

  /** The shim's path, installed once. */
  shim(): Promise<string> {
    this.shimPath ??= installShim(this.rootDir);
    return this.shimPath;
  }

  /** The shim and the launcher when one runs. */
  async starter(): Promise<{ shimPath: string; launcher?: Launcher }> {
    const shimPath = await this.shim();
    const launcher = this.liveLauncher?.alive ? this.liveLauncher : await (this.launcherStarting ??= this.startLauncher());
    return launcher ? { shimPath, launcher } : { shimPath };
  }

  /** Stop the launcher (runs it started keep running). */
  async close(): Promise<void> {
    (await this.launcherStarting)?.close();
    this.liveLauncher?.close();
  }

  private async startLauncher(): Promise<Launcher | undefined> {
    try {
      this.launcherPath ??= this.launcher === false ? Promise.resolve(undefined)
        : typeof this.launcher === 'string' ? Promise.resolve(this.launcher)
        : launcherBinary(this.log);
      const binary = await this.launcherPath;
      if (!binary || this.isClosed()) return undefined;
      const journals = exitJournalDir(this.rootDir);
      await mkdir(journals, { recursive: true });
      this.liveLauncher = await Launcher.start(binary, this.log, this.rootDir, journals).catch((err: Error) => {
        this.log.warn({ err: err.message, binary }, 'cannot start the container launcher: using the sh shim');
        this.launcherPath = Promise.resolve(undefined);
        return undefined;
      });
      return this.liveLauncher;
    } finally {
      this.launcherStarting = undefined;
    }
  }
}
