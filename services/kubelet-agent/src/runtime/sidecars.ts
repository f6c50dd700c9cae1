import type { ContainerRun } from './container-run.js';
import type { Logger } from './logger.js';

/** Runs already told to stop: a sidecar is stopped once, however often the pod is reconciled. */
const stopping = new WeakSet<ContainerRun>();

/**
 * Stop the sidecars computePodActions named (the main containers have finished): each live run
 * gets its preStop hook and SIGTERM, SIGKILL after `graceMs`, as the kubelet ends sidecars once a
 * pod's main containers are done (Kubernetes 1.29+). `onStop` reports each one (a Killing event).
 * The exits come back through the runs' own watchers; restarts are not decided here.
 */
export function stopSidecars(names: readonly string[], runs: ReadonlyMap<string, ContainerRun>, graceMs: number, log: Logger, onStop: (name: string) => void): void {
  for (const name of names) {
    const run = runs.get(name);
    if (!run || stopping.has(run)) continue;
    stopping.add(run);
    onStop(name);
    void run.kill(graceMs, log).catch((err: unknown) => log.warn({ err, container: name }, 'stopping a sidecar failed'));
  }
}
