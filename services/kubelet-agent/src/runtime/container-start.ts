import type { Container, Pod } from '@kjobs/api';
import { nextBackoff } from './backoff.js';
import { type RunChild, startShim } from './container-process.js';
import { exitFile, logFile, podDir } from './layout.js';
import { isSidecar } from './pod-actions.js';
import type { ContainerInstance, ContainerRecord, PodRecord } from './state.js';
import type { PodEventFn, WorkerContext } from './worker-context.js';

/** How starting one run of a container went. */
export type StartOutcome =
  /** Nothing started: no spec or no pod IP yet, or the container waits (`rec.waiting` says why and when to retry). */
  | { kind: 'not-started' }
  /** The run ended at once: `rec.current` holds it as a StartError. */
  | { kind: 'start-error' }
  /** The run is live: `rec.current` is `inst`; the worker watches `child` (probes need `probeEnv`). */
  | { kind: 'started'; spec: Container; inst: ContainerInstance; child: RunChild; probeEnv: Record<string, string> };

/** The spec of the named container (init or main) of the pod. */
export function containerSpec(pod: Pod, name: string): Container | undefined {
  return pod.spec.initContainers?.find((c) => c.name === name) ?? pod.spec.containers.find((c) => c.name === name);
}

/** What a container's command and environment are built from (see prepareLaunch). */
export function launchContext(ctx: WorkerContext, r: PodRecord, spec: Container, podIP: string) {
  const { opts } = ctx;
  return { pod: r.pod, container: spec, podIP, hostIP: r.hostIP, nodeName: opts.nodeName, podDir: podDir(opts.rootDir, r.uid), serviceEnv: r.serviceEnv ?? {}, kubernetesEnv: opts.kubernetesEnv, configData: ctx.configData?.(r.uid), ...(r.pod.spec.hostNetwork ? {} : { networkEnv: ctx.network?.podEnv() }) };
}

/**
 * Start one run of a container. Does: 1. prepare it with the engine (image, env, command; a
 * container that cannot start yet is left waiting with its retry time); 2. move the run before to
 * `previous` (restart count, backoff); 3. start the shim; 4. record the new run as `current` with
 * Created and Started events, or as a StartError when the engine or the shim failed.
 */
export async function startRun(ctx: WorkerContext, r: PodRecord, rec: ContainerRecord, event: PodEventFn): Promise<StartOutcome> {
  const { opts } = ctx;
  const spec = containerSpec(r.pod, rec.name);
  if (!spec || !r.podIP) return { kind: 'not-started' };
  const attempt = rec.current ? rec.restartCount + 1 : rec.restartCount;
  const prepared = await ctx.engine.prepare({
    record: r, rec, spec, attempt, env: launchContext(ctx, r, spec, r.podIP), now: opts.now(),
    event: (type, reason, message) => event(type, reason, message, rec),
  });
  if (prepared.kind === 'waiting') {
    if (!prepared.quiet && (rec.waiting?.reason !== prepared.reason || rec.waiting.message !== prepared.message)) event('Warning', 'Failed', `Error: ${prepared.message}`, rec);
    rec.waiting = { reason: prepared.reason, message: prepared.message, retryAtMs: prepared.retryAtMs ?? opts.now() + opts.configRetryMs };
    return { kind: 'not-started' };
  }
  const now = opts.now();
  if (rec.current) {
    const finishedMs = Date.parse(rec.current.finishedAt ?? '') || now;
    rec.backoff = nextBackoff(rec.backoff, finishedMs, now, opts.backoff);
    rec.previous = rec.current;
    // Until the new run exists there is no current one (status: waiting, lastState the run
    // before); keeping the old one there showed previous and current as the same container.
    delete rec.current;
    rec.restartCount += 1;
  }
  delete rec.waiting;
  delete rec.killing;
  const base = { attempt, imageID: prepared.imageID, startedAt: new Date(now).toISOString() };
  if (prepared.kind === 'start-error') return startFailed(ctx, rec, base, prepared.message, event);
  let started: Awaited<ReturnType<typeof startShim>>;
  try {
    started = await startShim({
      ...(await ctx.starter()),
      exitFile: exitFile(opts.rootDir, r.uid, rec.name, attempt),
      logFile: logFile(opts.rootDir, r.uid, rec.name, attempt),
      argv: prepared.argv,
      ...(prepared.launcherArgv ? { launcherArgv: prepared.launcherArgv } : {}),
      env: prepared.env,
      cwd: prepared.cwd,
    });
  } catch (err) {
    return startFailed(ctx, rec, base, (err as Error).message, event);
  }
  const inst: ContainerInstance = { ...base, pid: started.pid, pgid: started.pid };
  if (started.procStart !== undefined) inst.procStart = started.procStart;
  if (prepared.containerID) inst.containerID = prepared.containerID;
  rec.current = inst;
  // Plain init containers have no probes; a sidecar is probed like a main container.
  const plainInit = rec.init && !isSidecar(spec);
  rec.ready = !spec.readinessProbe || plainInit;
  rec.started = !spec.startupProbe || plainInit;
  event('Normal', 'Created', `Created container: ${rec.name}`, rec);
  event('Normal', 'Started', `Started container ${rec.name}`, rec);
  opts.log.debug({ uid: r.uid, container: rec.name, pid: inst.pid, attempt }, 'container started');
  return { kind: 'started', spec, inst, child: started.child, probeEnv: prepared.probeEnv };
}

function startFailed(ctx: WorkerContext, rec: ContainerRecord, base: Pick<ContainerInstance, 'attempt' | 'imageID'>, message: string, event: PodEventFn): StartOutcome {
  const nowIso = new Date(ctx.opts.now()).toISOString();
  rec.current = { ...base, pid: 0, pgid: 0, startedAt: new Date(0).toISOString(), finishedAt: nowIso, exitCode: 128, reason: 'StartError', message };
  rec.ready = false;
  rec.started = false;
  event('Warning', 'Failed', `Error: failed to start container "${rec.name}": ${message}`, rec);
  return { kind: 'start-error' };
}
