import cluster, { type Worker } from 'node:cluster';
import { answerScrapes } from './cluster-metrics.js';

/** The narrow logger the supervisor needs (pino satisfies it). */
export interface SupervisorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of `superviseWorkers`. */
export interface SupervisorOptions {
  workers: number;
  log: SupervisorLogger;
  /** How long stopping workers get before SIGKILL; default 12 s (a worker itself gives up after 10 s). */
  stopTimeoutMs?: number;
  /** More deaths than this within `crashWindowMs` stop the whole service (exit 1). Default 5 in 60 s. */
  maxCrashes?: number;
  crashWindowMs?: number;
}

/**
 * The primary of a multi-process memq (node:cluster; it serves nothing itself): starts the
 * workers, which share the listening socket, and
 * - a worker that dies before it listened (bad address, port taken) stops the service, exit 1;
 * - a worker that dies later is replaced; more than `maxCrashes` deaths in `crashWindowMs` stop
 *   the service, exit 1, so whatever runs memq (compose, `npm start`) sees the failure;
 * - SIGTERM/SIGINT pass to the workers, which finish their in-flight requests; exit 0 once all
 *   have exited (SIGKILL to the rest after `stopTimeoutMs`).
 * Workers exit by themselves when the primary dies (node:cluster ends a worker whose IPC channel
 * closes), so killing the primary with SIGKILL leaves no process behind.
 */
export function superviseWorkers(opts: SupervisorOptions): void {
  const { log } = opts;
  const maxCrashes = opts.maxCrashes ?? 5;
  const crashWindowMs = opts.crashWindowMs ?? 60_000;
  const live = new Set<Worker>();
  const listened = new WeakSet<Worker>();
  const crashes: number[] = [];
  let stopping = false;
  let exitCode = 0;

  answerScrapes();

  const fork = (): void => {
    const worker = cluster.fork();
    live.add(worker);
    worker.once('listening', () => listened.add(worker));
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) {
        if (live.size === 0) process.exit(exitCode);
        return;
      }
      const fields = { worker: worker.id, pid: worker.process.pid, code, signal };
      if (!listened.has(worker)) {
        log.error(fields, 'a worker exited before it listened; stopping');
        stop(1);
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! < now - crashWindowMs) crashes.shift();
      if (crashes.length > maxCrashes) {
        log.error({ ...fields, crashes: crashes.length, windowMs: crashWindowMs }, 'workers keep dying; stopping');
        stop(1);
        return;
      }
      log.warn(fields, 'worker died; starting another');
      fork();
    });
  };

  const stop = (code: number, signal?: string): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (signal) log.info({ signal, workers: live.size }, 'shutting down');
    if (live.size === 0) process.exit(exitCode);
    for (const w of live) w.process.kill('SIGTERM');
    setTimeout(() => {
      log.warn({ workers: live.size }, 'workers did not stop in time; killing them');
      for (const w of live) w.process.kill('SIGKILL');
      process.exit(exitCode === 0 ? 1 : exitCode);
    }, opts.stopTimeoutMs ?? 12_000).unref();
  };

  process.on('SIGTERM', () => stop(0, 'SIGTERM'));
  process.on('SIGINT', () => stop(0, 'SIGINT'));
  for (let i = 0; i < opts.workers; i++) fork();
}
