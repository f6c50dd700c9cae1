import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Pod, PodStatus } from '@kjobs/api';
import type { PodConfigData } from './config-data.js';
import { type ContainerEngine, ProcessEngine } from './engine.js';
import { type ExecOptions, type ExecProcess, execInPod } from './exec.js';
import { pruneExitJournals } from './exit-journal.js';
import { IpAllocator } from './ip-allocator.js';
import { assertSafeSegment, exitJournalDir, isSafeSegment, podDir } from './layout.js';
import type { LogOptions } from './logs.js';
import { Listeners } from './listeners.js';
import { followContainerLogs, readContainerLogs, removeRunFiles, removeStrayPodFiles } from './pod-files.js';
import { computePodStatus } from './pod-status.js';
import { PodMounts } from './pod-mounts.js';
import { PodWorker } from './pod-worker.js';
import { isProcessAlive } from './proc.js';
import { RunStarter } from './run-starter.js';
import { type CompiledOptions, type ProcessRuntimeOptions, type RuntimeEvent, compileOptions } from './runtime-options.js';
import { StateJournal } from './state-journal.js';
import { type PodRecord, orderedContainers } from './state.js';
import type { WorkerContext } from './worker-context.js';

export type { Clock, ProcessRuntimeOptions, RuntimeEvent } from './runtime-options.js';

/** How many removed pod uids are remembered, so a stale syncPod cannot run a removed pod again. */
const TOMBSTONES = 10_000;

/** How long after recover() the journals of launchers that ended are deleted. */
const EXIT_JOURNAL_PRUNE_MS = 60_000;

/**
 * Runs pods as local process groups: the kubelet + container runtime of a kjobs node.
 * Level-triggered: `syncPod` makes the processes match the pod; container exits, probe results,
 * backoff ends and the pod deadline re-run the same decision (computePodActions) by themselves,
 * then `onChange` tells the agent to recompute `podStatus(pod)` and PATCH it. Everything about a
 * pod is serialised on its PodWorker's queue.
 */
export class ProcessRuntime {
  private readonly workers = new Map<string, PodWorker>();
  private readonly tombstones = new Set<string>();
  /** The pods' volumes and the ConfigMaps/Secrets last given for each pod. */
  private readonly mounts: PodMounts;
  private readonly opts: CompiledOptions;
  private readonly ctx: WorkerContext;
  /** The engine runs go through (processes, or OCI containers). */
  readonly engine: ContainerEngine;
  private readonly changes: Listeners<string>;
  private readonly events: Listeners<RuntimeEvent>;
  private readonly runStarter: RunStarter;
  private closed = false;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(options: ProcessRuntimeOptions) {
    this.opts = compileOptions(options);
    this.changes = new Listeners('onChange', this.opts.log);
    this.events = new Listeners('onEvent', this.opts.log);
    this.runStarter = new RunStarter(options.rootDir, options.launcher, this.opts.log, () => this.closed);
    this.engine = options.engine ?? new ProcessEngine(options.catalog, options.rootDir);
    this.ctx = {
      opts: this.opts,
      engine: this.engine,
      ipam: new IpAllocator(options.podIPRange),
      ...(options.podNetwork ? { network: options.podNetwork } : {}),
      journal: new StateJournal(options.rootDir),
      starter: () => this.runStarter.starter(),
      isClosed: () => this.closed,
      emitChange: (uid) => this.emitChange(uid),
      emitEvent: (e) => this.emitEvent(e),
      configData: (uid) => this.mounts.data(uid),
    };
    this.mounts = new PodMounts(this.opts, { linkMountPaths: !options.engine, ...options.volumes }, (e) => this.emitEvent(e));
  }

  /** Subscribe to "this pod's status may have changed"; returns the unsubscribe function. */
  onChange(cb: (podUid: string) => void): () => void {
    return this.changes.add(cb);
  }

  /** Subscribe to events (Pulled, Created, Started, Killing, BackOff, Unhealthy, Failed, …); returns the unsubscribe function. */
  onEvent(cb: (e: RuntimeEvent) => void): () => void {
    return this.events.add(cb);
  }

  /** Uids of the pods the runtime holds. */
  knownPods(): string[] {
    return [...this.workers.keys()];
  }

  /** The pod's status from what the runtime knows (pure: computePodStatus). */
  podStatus(pod: Pod): PodStatus {
    return computePodStatus(pod, this.workers.get(pod.metadata.uid ?? '')?.record, this.opts.now());
  }

  /** The runtime's record of a pod (read-only use: tests, debugging). */
  podRecord(uid: string): PodRecord | undefined {
    return this.workers.get(uid)?.record;
  }

  /**
   * Re-attach after an agent (re)start. Does:
   * 1. install the shim;
   * 2. load every pod's record from the state journal and reserve its IP;
   * 3. for each recorded run: watch it again if its shim lives (pid and start time match),
   *    else record its exit status from the exit file (137 ContainerStatusUnknown without one).
   * Nothing is (re)started until syncPod confirms the pod. Returns the known pod uids.
   */
  async recover(): Promise<string[]> {
    await this.runStarter.shim();
    for (const record of this.ctx.journal.records()) {
      const uid = record.uid;
      if (!isSafeSegment(uid) || this.workers.has(uid)) continue;
      const w = new PodWorker(record, this.ctx);
      this.workers.set(uid, w);
      if (record.podIP && !record.netns && !record.sandboxReleased && !this.ctx.ipam.reserve(uid, record.podIP)) this.opts.log.warn({ uid, ip: record.podIP }, 'recovered pod IP is outside the range or taken');
      await w.exclusive(() => w.reattach((inst) => isProcessAlive(inst.pid, inst.procStart)));
      this.emitChange(uid);
    }
    // Ended launchers' journals, once every run recorded in them has been read and saved.
    this.pruneTimer = setTimeout(() => pruneExitJournals(exitJournalDir(this.opts.rootDir)), EXIT_JOURNAL_PRUNE_MS);
    this.pruneTimer.unref();
    return this.knownPods();
  }

  /**
   * Make the pod's processes match the pod (level-triggered, idempotent). Does:
   * 1. admit a new pod: its directory, IP and startTime (a pod the API already shows terminal,
   *    one being deleted, or one removed before, is not admitted);
   * 2. remember the pod and its Service env vars (serviceEnvVars);
   * 3. decide and act: start, restart after backoff, kill at the deadline;
   * 4. a pod with a deletionTimestamp is killed with its deletion grace period.
   */
  async syncPod(pod: Pod, serviceEnv: Record<string, string>, configData?: PodConfigData): Promise<void> {
    if (this.closed) return;
    const uid = pod.metadata.uid ?? '';
    assertSafeSegment(uid, 'pod uid');
    for (const c of orderedContainers(pod)) assertSafeSegment(c.name, 'container name');
    let w = this.workers.get(uid);
    if (!w) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp || this.tombstones.has(uid)) return;
      w = this.admit(pod);
    }
    const worker = w;
    if (configData) this.mounts.setData(uid, configData);
    // Containers start only once every volume is set up (FailedMount until then); a running pod keeps going.
    if (!(await this.mounts.setUp(pod, worker.record.podIP)) && !worker.synced) return;
    await worker.exclusive(() => worker.sync(pod, serviceEnv));
    if (pod.metadata.deletionTimestamp) void worker.kill(pod.metadata.deletionGracePeriodSeconds);
  }

  /**
   * Stop the pod for good: SIGTERM to every running container (its shim forwards it to the
   * program), SIGKILL to each process group after the grace period, then wait until no process
   * of any group is left. `gracePeriodSeconds` defaults to the pod's deletion grace period, else
   * spec.terminationGracePeriodSeconds, else 30; values in (0, 2) are raised to the minimum;
   * 0 kills at once. Idempotent: a second call joins the first.
   */
  killPod(uid: string, gracePeriodSeconds?: number): Promise<void> {
    return this.workers.get(uid)?.kill(gracePeriodSeconds) ?? Promise.resolve();
  }

  /**
   * Kill and forget every pod not in `keepUids` (pods the API no longer binds here), and remove
   * pod directories without a record. `gracePeriodSeconds` as in killPod. Resolves when none
   * of their processes is left. Returns the removed uids.
   */
  async killOrphans(keepUids: Iterable<string>, opts: { gracePeriodSeconds?: number } = {}): Promise<string[]> {
    const keep = new Set(keepUids);
    const orphans = this.knownPods().filter((uid) => !keep.has(uid));
    await Promise.all(
      orphans.map(async (uid) => {
        await this.killPod(uid, opts.gracePeriodSeconds);
        await this.removePod(uid);
      }),
    );
    // Pod directories and logs no record knows (a crash between removing a pod and its files).
    orphans.push(...(await removeStrayPodFiles(this.opts.rootDir, (uid) => keep.has(uid) || this.workers.has(uid))));
    // Containers and cgroups of runs no record knows (a crash between creating and recording one).
    const containerIDs = new Set<string>();
    for (const w of this.workers.values()) {
      for (const c of Object.values(w.record.containers)) for (const inst of [c.current, c.previous]) if (inst?.containerID) containerIDs.add(inst.containerID);
    }
    await this.engine.sweep({ containerIDs, podUids: new Set(this.workers.keys()) });
    // Pod namespaces and addresses no record knows (a crash between making and recording them).
    await this.ctx.network?.reconcile(new Set(this.workers.keys()));
    return orphans;
  }

  /** Forget a pod whose object is gone: kill anything left (SIGKILL), free its IP, delete its directory and logs. */
  async removePod(uid: string): Promise<void> {
    assertSafeSegment(uid, 'pod uid');
    const w = this.workers.get(uid);
    if (w) {
      await w.kill(0).catch(() => {});
      // Runs left by a kill with grace are gone by now; this catches anything unexpected.
      await Promise.all([...w.runs.values()].map((r) => r.kill(0, this.opts.log)));
      await w.exclusive(async () => {
        w.removed = true;
        w.detach();
      });
      this.workers.delete(uid);
      this.ctx.ipam.release(uid);
      await this.engine.removePod(w.record);
      if (w.record.netns && !w.record.sandboxReleased) await this.ctx.network?.tearDown(uid);
      await removeRunFiles(this.opts.rootDir, w.record);
    }
    this.ctx.journal.remove(uid);
    this.tombstones.add(uid);
    if (this.tombstones.size > TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value ?? '');
    await this.mounts.tearDown(uid);
    await rm(podDir(this.opts.rootDir, uid), { recursive: true, force: true });
  }

  /**
   * The node shuts down: every pod is killed (grace capped at `maxGraceSeconds`) and removed,
   * the engine removes what it made for the node, then the runtime closes. Nothing of the
   * node's pods is left: no process, container, cgroup or pod directory.
   */
  async shutdown(maxGraceSeconds: number): Promise<void> {
    const uids = this.knownPods();
    await Promise.all(uids.map(async (uid) => {
      const pod = this.workers.get(uid)?.record.pod;
      const grace = Math.min(maxGraceSeconds, pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds ?? 30);
      await this.killPod(uid, grace);
      await this.removePod(uid);
    }));
    await this.engine.shutdown();
    await this.close();
  }

  /**
   * Stop watching (timers, probes, exit watchers) WITHOUT killing anything: pods keep running
   * and a new runtime on the same rootDir re-attaches with `recover()`.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pruneTimer);
    for (const w of this.workers.values()) w.detach();
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
    await this.runStarter.close();
    this.ctx.journal.close();
  }

  /** A container's log with `kubectl logs` options (readContainerLogs). */
  readLogs(podUid: string, container: string, opts: LogOptions = {}): Promise<string> {
    return readContainerLogs(this.opts, this.workers.get(podUid)?.record, podUid, container, opts);
  }

  /** Stream a container's log, `kubectl logs -f` (followContainerLogs); ends when the runtime closes. */
  followLogs(podUid: string, container: string, opts: LogOptions, onChunk: (chunk: string) => void, signal: AbortSignal): Promise<void> {
    return followContainerLogs(this.opts, this.workers.get(podUid)?.record, podUid, container, { opts, onChunk, signal, isClosed: () => this.closed });
  }

  /**
   * `kubectl exec`: start `argv` in the pod's running container, with its environment and
   * directory (execInPod; this is the runtime's ExecInContainer). Rejects with 400
   * `container not found` when that container does not run now.
   */
  exec(podUid: string, container: string, argv: string[], opts: ExecOptions): Promise<ExecProcess> {
    const w = this.workers.get(podUid);
    const run = w?.runs.get(container);
    const isRunning = () => !!run && !!w && !w.removed && w.record.containers[container]?.current === run.inst && run.inst.finishedAt === undefined;
    return execInPod(isRunning() ? { env: run!.target.env, cwd: run!.target.cwd, isRunning, execPrefix: run!.target.execPrefix } : undefined, container, argv, opts);
  }

  private admit(pod: Pod): PodWorker {
    const uid = pod.metadata.uid ?? '';
    const record: PodRecord = {
      uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      pod,
      hostIP: this.opts.hostIP,
      // A pod that already has a startTime (state lost, pod re-admitted) keeps its deadline.
      startTime: pod.status?.startTime ?? new Date(this.opts.now()).toISOString(),
      containers: {},
    };
    const w = new PodWorker(record, this.ctx);
    this.workers.set(uid, w);
    void w.exclusive(async () => {
      // Synchronous: one call, not a trip through the thread pool and its wake-up.
      mkdirSync(podDir(this.opts.rootDir, uid), { recursive: true });
      await this.runStarter.shim();
    });
    return w;
  }

  private emitChange(uid: string): void {
    this.changes.emit(uid, uid);
  }

  private emitEvent(e: RuntimeEvent): void {
    this.events.emit(e, e.podUid);
  }
}
