import type { Container } from '@kjobs/api';
import type { Catalog } from './catalog.js';
import type { RunExit } from './container-process.js';
import type { EnvContext } from './env.js';
import { prepareLaunch } from './launch.js';
import { logFile } from './layout.js';
import { terminationMessage } from './termination-message.js';
import type { ContainerInstance, ContainerRecord, PodRecord } from './state.js';

/**
 * How a node turns a container into a run: the one seam between the pod worker (restart
 * policies, backoff, probes, logs, kills — the kubelet) and what actually runs (the container
 * runtime). Two engines: `ProcessEngine` (a host program per run) and `OciEngine` (an OCI
 * container from a pulled image, run by runc). Either way a run is one process started by the
 * launcher, with its stdout and stderr in the run's log file and its exit status journaled.
 */
export interface ContainerEngine {
  /** `status.nodeInfo.containerRuntimeVersion`, e.g. `runc://1.1.5`. */
  readonly runtimeVersion: string;
  /**
   * Everything before a run starts (image, environment, bundle). Emits its own events through
   * `event` (Pulling, Pulled, Failed …). Never throws: a problem is a waiting reason or a
   * start error.
   */
  prepare(input: PrepareInput): Promise<Prepared>;
  /** What the worker needs to control a live run beside its process (undefined fields: the process defaults). */
  control(inst: ContainerInstance): RunControl;
  /** After a run ended (also when learned after a restart): its final reason and message, and the run's container removed. */
  finishRun(record: PodRecord, rec: ContainerRecord, inst: ContainerInstance, exit: RunExit): Promise<{ reason?: string; message?: string }>;
  /** The pod is gone: remove what the engine made for it (containers, cgroups). */
  removePod(record: PodRecord): Promise<void>;
  /** After recovery: remove containers and cgroups of runs the runtime does not know (`keep`: live container ids). */
  sweep(keep: { containerIDs: Set<string>; podUids: Set<string> }): Promise<void>;
  /** The node is going away and no pod is left: remove node-level leftovers. */
  shutdown(): Promise<void>;
}

/** What `prepare` is given. */
export interface PrepareInput {
  record: PodRecord;
  rec: ContainerRecord;
  spec: Container;
  /** The attempt number the run will have (its restartCount). */
  attempt: number;
  env: EnvContext;
  now: number;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The outcome of `prepare`. */
export type Prepared =
  /** Start `argv` under the launcher with this env, in `cwd`. */
  | {
    kind: 'run'; argv: [string, ...string[]]; env: Record<string, string>; cwd: string; imageID: string; containerID?: string; probeEnv: Record<string, string>;
    /** The same run for the native launcher, which can do more itself (an OCI run's overlay mount: see kjobs-launcher.c). */
    launcherArgv?: [string, ...string[]];
  }
  /** Not now: the container waits with this reason; `quiet` when the engine already emitted the events. */
  | { kind: 'waiting'; reason: string; message: string; retryAtMs?: number; quiet?: boolean }
  /** The run ends at once as StartError (exit code 128). */
  | { kind: 'start-error'; message: string; imageID: string };

/** Control of a live run beyond signals to its process group. */
export interface RunControl {
  /** Kill the run's processes for good (an OCI container's init lives outside runc's process group). */
  forceKill?(): Promise<void>;
  /** argv prefix that runs an exec probe or `kubectl exec` inside the run. */
  execPrefix?: string[];
  /** Resolves once the run's container exists, so a command can be run inside it (false after `timeoutMs`). */
  whenRunning?(timeoutMs: number): Promise<boolean>;
}

/**
 * The process engine: the image is a label looked up in the catalog (the built-in kuard), or the
 * command runs as a host program; the pod directory is the working directory.
 */
export class ProcessEngine implements ContainerEngine {
  readonly runtimeVersion = 'kjobs-process://0.1.0';

  constructor(private readonly catalog: Catalog, private readonly rootDir: string) {}

  async prepare(i: PrepareInput): Promise<Prepared> {
    const p = await prepareLaunch(this.catalog, i.env);
    if (p.kind === 'waiting') return p;
    if (p.kind === 'start-error') return { kind: 'start-error', message: p.message, imageID: p.imageID };
    i.event('Normal', 'Pulled', `Container image "${i.spec.image ?? ''}" already present on machine`);
    // On the pod network the run joins the pod's namespace (nsenter execs the program: same pid, same group).
    const argv: [string, ...string[]] = i.record.netns ? ['nsenter', `--net=${i.record.netns}`, '--', ...p.argv] : p.argv;
    return { kind: 'run', argv, env: p.env, cwd: i.env.podDir, imageID: p.imageID, probeEnv: p.env };
  }

  control(): RunControl {
    return {};
  }

  /** A process run has no termination-message file: with FallbackToLogsOnError a failed run's message is its log's tail. */
  async finishRun(r: PodRecord, rec: ContainerRecord, inst: ContainerInstance, exit: RunExit): Promise<{ reason?: string; message?: string }> {
    const spec = [...(r.pod.spec.initContainers ?? []), ...r.pod.spec.containers].find((c) => c.name === rec.name);
    const message = terminationMessage(undefined, logFile(this.rootDir, r.uid, rec.name, inst.attempt), spec?.terminationMessagePolicy, exit.exitCode);
    return message ? { message } : {};
  }

  async removePod(): Promise<void> {}

  async sweep(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
