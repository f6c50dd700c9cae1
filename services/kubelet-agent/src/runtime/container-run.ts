import { setTimeout as sleep } from 'node:timers/promises';
import type { Container } from '@kjobs/api';
import { type RunChild, type RunExit, waitForExit } from './container-process.js';
import type { Logger } from './logger.js';
import { LogTimesRecorder } from './logs.js';
import { signalGroup, signalProcess, waitGroupGone } from './proc.js';
import { type ProbeKind, type ProbeReport, ProbeWorker } from './probe-worker.js';
import { type ProbeTarget, resolveProbe } from './probes.js';
import type { ContainerInstance } from './state.js';
import { type LifecycleHandler, runHook } from './hooks.js';

/** What a ContainerRun reports to its pod. */
export interface RunHooks {
  /** The run ended (called once; not called after `detach`). */
  onExit(run: ContainerRun, exit: RunExit): Promise<void>;
  /** A probe attempt finished. */
  onProbe(run: ContainerRun, report: ProbeReport): void;
}

/** Everything needed to watch one run. */
export interface AttachArgs {
  name: string;
  inst: ContainerInstance;
  logPath: string;
  timesPath: string;
  exitPath: string;
  /** The launchers' exit journals (exit-journal.ts). */
  exitJournalDir?: string;
  /** The shim's ChildProcess when this agent started it. */
  child?: RunChild;
  target: ProbeTarget;
  /** Kill the run for good when SIGKILL to its process group is not enough (an OCI container). */
  forceKill?: () => Promise<void>;
  /** The container's preStop hook: run before SIGTERM, within the grace period. */
  preStop?: { handler: LifecycleHandler; container: string; pod: string; onFailed(message: string): void };
  now: () => number;
  logTimesIntervalMs: number;
  pollIntervalMs: number;
  hooks: RunHooks;
}

/**
 * The live side of one container run: watches its exit (child event, or pid polling after a
 * recovery), samples its log growth for timestamps, runs its probes, and kills it.
 */
export class ContainerRun {
  readonly name: string;
  readonly inst: ContainerInstance;
  readonly target: ProbeTarget;
  /** Settles once the end was reported to the hooks (or watching stopped). */
  exited: Promise<void> = Promise.resolve();
  private readonly stopWatching = new AbortController();
  private probes: ProbeWorker[] = [];
  private readonly times: LogTimesRecorder;

  private constructor(private readonly a: AttachArgs) {
    this.name = a.name;
    this.inst = a.inst;
    this.target = a.target;
    this.times = new LogTimesRecorder(a.logPath, a.timesPath, a.now, a.logTimesIntervalMs);
  }

  /** Start watching a run. */
  static async attach(a: AttachArgs): Promise<ContainerRun> {
    const run = new ContainerRun(a);
    // A run we started (child handle) has no times file yet; a re-attached one may.
    await run.times.start(a.child !== undefined);
    const watch = { pid: a.inst.pid, exitFile: a.exitPath, ...(a.exitJournalDir !== undefined ? { exitJournalDir: a.exitJournalDir } : {}), ...(a.inst.procStart !== undefined ? { procStart: a.inst.procStart } : {}), ...(a.child ? { child: a.child } : {}) };
    run.exited = (async () => {
      const exit = await waitForExit(watch, run.stopWatching.signal, a.pollIntervalMs);
      if (!exit) return;
      await run.times.stop();
      await a.hooks.onExit(run, exit);
    })();
    return run;
  }

  /** Start the probes: the startup probe until it passed, then liveness and readiness. */
  startProbes(spec: Container, started: boolean): void {
    for (const p of this.probes) p.stop();
    this.probes = [];
    const add = (kind: ProbeKind, probe: Container['livenessProbe']) => {
      if (!probe) return;
      const w = new ProbeWorker(kind, resolveProbe(probe), this.target, (rep) => this.a.hooks.onProbe(this, rep));
      this.probes.push(w);
      w.start();
    };
    if (spec.startupProbe && !started) add('Startup', spec.startupProbe);
    else {
      add('Liveness', spec.livenessProbe);
      add('Readiness', spec.readinessProbe);
    }
  }

  /** Stop watching, sampling and probing; the process is left alone. */
  detach(): void {
    this.stopWatching.abort();
    for (const p of this.probes) p.stop();
    this.probes = [];
    this.times.halt();
  }

  /**
   * The preStop hook, bounded by the grace period (skipped when the run already ended). Returns
   * the grace left for SIGTERM: at least 2 s after a hook that used it all, as the kubelet gives.
   */
  private async runPreStop(graceMs: number): Promise<number> {
    const hook = this.a.preStop;
    if (!hook || this.inst.finishedAt !== undefined) return graceMs;
    const t0 = Date.now();
    const out = await Promise.race([runHook('PreStop', hook.handler, this.target, graceMs, hook), this.exited.then(() => ({ ok: true, output: '' }))]);
    if (!out.ok) hook.onFailed(out.output);
    return Math.max(graceMs - (Date.now() - t0), 2_000);
  }

  /**
   * SIGKILL: through the engine first when it has its own way (runc kills the container, and
   * runc then exits with 137 by itself: waited for up to 2 s), then to the whole process group.
   */
  private async hardKill(): Promise<void> {
    const { pgid, procStart } = this.inst;
    if (this.a.forceKill) {
      await this.a.forceKill();
      const ac = new AbortController();
      await Promise.race([this.exited, sleep(2_000, undefined, { signal: ac.signal }).catch(() => undefined)]);
      ac.abort();
    }
    signalGroup(pgid, 'SIGKILL', procStart);
  }

  /**
   * Stop the run: SIGTERM to the shim (which forwards it to the program), SIGKILL to the whole
   * group once `graceMs` passed (at once for 0), then wait until the end was reported and the
   * group is empty.
   */
  async kill(graceMs: number, log: Logger): Promise<void> {
    const { pid, pgid, procStart } = this.inst;
    // Shims are unref'd so pods never hold the agent open; a caller awaiting a kill must not see
    // the process exit under it, so keep the event loop alive until the kill is done.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      if (graceMs <= 0) await this.hardKill();
      else {
        graceMs = await this.runPreStop(graceMs);
        signalProcess(pid, 'SIGTERM', procStart);
        const ac = new AbortController();
        const timedOut = await Promise.race([this.exited.then(() => false), sleep(graceMs, true, { signal: ac.signal }).catch(() => false)]);
        ac.abort();
        if (timedOut) await this.hardKill();
      }
      await this.exited;
      if (!(await waitGroupGone(pgid, 10_000))) log.warn({ pgid }, 'process group still has members after SIGKILL');
    } finally {
      clearInterval(keepAlive);
    }
  }
}
