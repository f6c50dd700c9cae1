import type { Pod } from '@kjobs/api';
import type { BackoffEntry } from './backoff.js';

/**
 * The runtime's record of pods, persisted in `<rootDir>/state.journal` (StateJournal) so a
 * restarted agent re-attaches to what it started. Plain JSON; every time is an RFC 3339 string.
 */

/** One run of a container: one shim process, one log file. */
export interface ContainerInstance {
  /** The container's restartCount when this run began; names the log and exit files. */
  attempt: number;
  /** The shim's pid; 0 when the run never started (StartError). */
  pid: number;
  /** The process group of the run (the shim leads it: pgid === pid). */
  pgid: number;
  /** Field 22 of /proc/<pid>/stat at start, to tell our shim from a reused pid. */
  procStart?: number;
  startedAt: string;
  imageID: string;
  /** `runc://<id>` for an OCI container run; unset for a process run. */
  containerID?: string;
  /** Set once the run is over. */
  finishedAt?: string;
  exitCode?: number;
  /** Completed, Error, StartError, ContainerStatusUnknown. */
  reason?: string;
  message?: string;
}

/** Why the runtime killed a run (it shapes events and restart decisions). */
export type KillCause = 'liveness' | 'startup' | 'pod';

/** One container (init or regular) of a pod. */
export interface ContainerRecord {
  name: string;
  init: boolean;
  /** Restarts so far; also the attempt number of the next run's predecessor. */
  restartCount: number;
  /** The latest run (running or finished). */
  current?: ContainerInstance;
  /** The run before `current`: the container's lastState and `logs --previous`. */
  previous?: ContainerInstance;
  /** Set while the container cannot run: CrashLoopBackOff, CreateContainerConfigError, … */
  waiting?: { reason: string; message?: string; retryAtMs?: number };
  /** Crash-loop backoff window. */
  backoff?: BackoffEntry;
  /** Readiness probe result (true without a readiness probe once running). */
  ready: boolean;
  /** Startup probe passed (true without a startup probe once running). */
  started: boolean;
  /** Set when the runtime is killing `current`. */
  killing?: KillCause;
}

/** One pod this node runs. */
export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  /** The pod as last given to syncPod (the spec is what the runtime reconciles towards). */
  pod: Pod;
  podIP?: string;
  /** The pod's network namespace on the pod network (`/run/netns/…`); unset: the node's network. */
  netns?: string;
  hostIP: string;
  /** When the runtime first accepted the pod (status.startTime). */
  startTime: string;
  /** Containers by name (init and regular names are unique within a pod). */
  containers: Record<string, ContainerRecord>;
  /** Set when the pod must not start anything again (killPod, deadline, terminal phase). */
  stopped?: boolean;
  /** A pod-level failure that overrides the computed phase (DeadlineExceeded). */
  failure?: { reason: string; message: string };
  /** Set when the sandbox (IP) could not be created. */
  sandboxError?: string;
  /**
   * Set once a finished pod gave its sandbox back (pod-sandbox.ts releaseSandbox): its loopback
   * IP is free for other pods, its pod network namespace is gone. `podIP` stays, for the status.
   */
  sandboxReleased?: boolean;
  /** The Service env vars last given to syncPod (for exec probes of re-attached runs). */
  serviceEnv?: Record<string, string>;
}

/** The record of one container, created on first sight. */
export function newContainerRecord(name: string, init: boolean): ContainerRecord {
  return { name, init, restartCount: 0, ready: false, started: false };
}

/** The pod's containers in run order: init containers, then regular containers. */
export function orderedContainers(pod: Pod): { name: string; init: boolean }[] {
  return [
    ...(pod.spec.initContainers ?? []).map((c) => ({ name: c.name, init: true })),
    ...pod.spec.containers.map((c) => ({ name: c.name, init: false })),
  ];
}

/** True while the instance is still running. */
export function isRunning(inst: ContainerInstance | undefined): inst is ContainerInstance & { finishedAt: undefined } {
  return inst !== undefined && inst.finishedAt === undefined;
}
