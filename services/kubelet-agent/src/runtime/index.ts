/**
 * The kubelet-agent's process runtime: pods as local process groups.
 *
 * Typical wiring (agent.ts):
 * ```ts
 * const catalog = await loadCatalog({ catalogFile });           // + built-in kuard
 * const rt = new ProcessRuntime({ rootDir, nodeName, podIPRange: '127.1.0.0/16', catalog, logger });
 * const known = await rt.recover();                              // re-attach after a restart
 * // once the pod informer has synced:
 * await rt.killOrphans(podsBoundHere.map((p) => p.metadata.uid));
 * rt.onChange((uid) => queue.add(uid));                          // → PATCH rt.podStatus(pod) if changed
 * rt.onEvent((e) => recorder.event(e));                          // → Events on the pod
 * // sync(uid):
 * //   pod exists, bound here  → await rt.syncPod(pod, serviceEnvVars(servicesOfNs, podIPOf));
 * //   pod deleting            → await rt.killPod(uid, pod.metadata.deletionGracePeriodSeconds)
 * //                             (syncPod also does this on its own)
 * //   pod object gone          → await rt.removePod(uid)
 * //   then PATCH status: rt.podStatus(pod) (pure computePodStatus; compare before writing)
 * // logs: rt.readLogs(uid, container, opts) / rt.followLogs(uid, container, opts, onChunk, signal)
 * // shutdown keeping pods alive: await rt.close()
 * ```
 *
 * Guarantees:
 * - every container run is a process group led by a POSIX sh shim under `<rootDir>`; it writes the
 *   exit status to a file, so a restarted agent learns how runs ended while it was down;
 * - containers get an environment built from nothing (no agent secrets), their own pod IP on
 *   loopback, the pod directory as working directory and HOME, and a log file they write directly;
 * - restartPolicy, crash-loop backoff (10 s doubling to 300 s, reset after 10 min), probes,
 *   graceful termination and activeDeadlineSeconds follow the kubelet;
 * - killPod / killOrphans / removePod resolve only when no process of the pod's groups is left;
 * - nothing throws for a bad image or env: the container waits with a Kubernetes reason
 *   (CreateContainerConfigError, RunContainerError) or ends with StartError, and an event says why.
 * Limits: Linux /proc is used to tell live processes from zombies and reused pids; processes that
 * leave their process group (setsid) escape the runtime; no cgroups (no OOMKilled, no limits).
 */
export { ProcessRuntime, type ProcessRuntimeOptions, type RuntimeEvent, type Clock } from './process-runtime.js';
export { computePodStatus } from './pod-status.js';
export { computePodActions, type PodActions } from './pod-actions.js';
export {
  type Catalog,
  type CatalogEntry,
  type Program,
  type ProgramSource,
  type LaunchPlan,
  KUARD_IMAGE_PATTERN,
  createCatalog,
  loadCatalog,
  parseCatalogFile,
  matchImage,
  findCatalogEntry,
  planLaunch,
  resolveLaunch,
} from './catalog.js';
export { serviceEnvVars, kubernetesServiceEnv, buildContainerEnv, expandVars, DEFAULT_PATH, COMPLETION_INDEX_ANNOTATION, type EnvContext } from './env.js';
export { IpAllocator } from './ip-allocator.js';
export { DEFAULT_BACKOFF, type BackoffOptions, formatGoDuration } from './backoff.js';
export type { LogOptions } from './logs.js';
export type { Logger } from './logger.js';
export { type ContainerEngine, type PrepareInput, type Prepared, type RunControl, ProcessEngine } from './engine.js';
export type { PodRecord, ContainerRecord, ContainerInstance } from './state.js';
