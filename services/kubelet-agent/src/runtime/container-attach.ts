import type { Container } from '@kjobs/api';
import { type RunChild, type RunExit, reapGroup, waitForExit } from './container-process.js';
import type { AttachArgs, RunHooks } from './container-run.js';
import { launchContext } from './container-start.js';
import { lifecycleOf } from './hooks.js';
import { exitFile, exitJournalDir, logFile, logTimesFile, podDir } from './layout.js';
import { prepareLaunch } from './launch.js';
import type { PodNetwork } from './pod-network.js';
import type { ContainerInstance, ContainerRecord, PodRecord } from './state.js';
import type { PodEventFn, WorkerContext } from './worker-context.js';

/**
 * What ContainerRun.attach needs to watch a run: its files, how probes, exec and hooks reach it,
 * its preStop hook and how to force-kill it. `env` is rebuilt when not given (a run re-attached
 * after a restart: exec probes of a process run need its env again; an OCI run's exec has its own).
 */
export async function attachArgs(ctx: WorkerContext, r: PodRecord, rec: ContainerRecord, spec: Container | undefined, inst: ContainerInstance, run: { child?: RunChild; env?: Record<string, string>; hooks: RunHooks; event: PodEventFn }): Promise<AttachArgs> {
  const { opts } = ctx;
  const control = ctx.engine.control(inst);
  const preStop = lifecycleOf(spec).preStop;
  let env = run.env;
  if (!env && spec && r.podIP && !control.execPrefix) {
    const prepared = await prepareLaunch(opts.catalog, launchContext(ctx, r, spec, r.podIP));
    if (prepared.kind !== 'waiting') env = prepared.env;
  }
  return {
    name: rec.name,
    inst,
    logPath: logFile(opts.rootDir, r.uid, rec.name, inst.attempt),
    timesPath: logTimesFile(opts.rootDir, r.uid, rec.name, inst.attempt),
    exitPath: exitFile(opts.rootDir, r.uid, rec.name, inst.attempt),
    exitJournalDir: exitJournalDir(opts.rootDir),
    ...(run.child ? { child: run.child } : {}),
    target: { podIP: r.podIP ?? '127.0.0.1', env: env ?? {}, cwd: podDir(opts.rootDir, r.uid), ports: spec?.ports ?? [], ...(control.execPrefix ? { execPrefix: control.execPrefix } : {}), ...podNetworkTarget(r, ctx.network, control.execPrefix) },
    ...(control.forceKill ? { forceKill: control.forceKill } : {}),
    ...(preStop ? { preStop: { handler: preStop, container: rec.name, pod: `${r.name}_${r.namespace}(${r.uid})`, onFailed: (m: string) => run.event('Warning', 'FailedPreStopHook', m, rec) } } : {}),
    now: opts.now,
    logTimesIntervalMs: opts.logTimesIntervalMs,
    pollIntervalMs: opts.pollIntervalMs,
    hooks: run.hooks,
  };
}

/** How probes and exec reach a pod on the pod network: connections through the network's dialer; a process run's exec joins the pod's namespace. */
function podNetworkTarget(r: PodRecord, network: PodNetwork | undefined, execPrefix: string[] | undefined): { dial?: PodNetwork['dial']; execPrefix?: string[] } {
  if (!r.netns || !network) return {};
  return { dial: (h, p, t) => network.dial(h, p, t), ...(execPrefix ? {} : { execPrefix: ['nsenter', `--net=${r.netns}`, '--'] }) };
}

/**
 * Record on `inst` how its run ended and reap its process group. The engine's reasons (OOMKilled,
 * a termination message) come first: a status read meanwhile must not see the run ended without
 * its final reason. Returns false when the record moved on meanwhile (nothing recorded).
 */
export async function recordRunEnd(ctx: WorkerContext, r: PodRecord, rec: ContainerRecord, inst: ContainerInstance, exit: RunExit): Promise<boolean> {
  const fin = await ctx.engine.finishRun(r, rec, inst, exit);
  if (rec.current !== inst || inst.finishedAt !== undefined) return false;
  inst.finishedAt = new Date(exit.finishedAtMs ?? ctx.opts.now()).toISOString();
  inst.exitCode = exit.exitCode;
  inst.reason = exit.unknown ? 'ContainerStatusUnknown' : exit.exitCode === 0 ? 'Completed' : 'Error';
  if (exit.unknown) inst.message = 'The container could not be located when the pod was terminated';
  reapGroup(inst.pgid, inst.procStart);
  if (fin.reason) inst.reason = fin.reason;
  if (fin.message) inst.message = fin.message;
  rec.ready = false;
  rec.started = false;
  delete rec.killing;
  return true;
}

/** How a run that ended while no agent watched it ended (its exit file or journal), else unknown (137). */
export async function exitOfDeadRun(ctx: WorkerContext, r: PodRecord, name: string, inst: ContainerInstance): Promise<RunExit> {
  const watch = { pid: inst.pid, exitFile: exitFile(ctx.opts.rootDir, r.uid, name, inst.attempt), exitJournalDir: exitJournalDir(ctx.opts.rootDir), ...(inst.procStart !== undefined ? { procStart: inst.procStart } : {}) };
  return (await waitForExit(watch, new AbortController().signal, 1)) ?? { exitCode: 137, unknown: true };
}
