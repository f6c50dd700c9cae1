import { mkdirSync } from 'node:fs';
import type { PodConfigData } from './config-data.js';
import { PodVolumes } from './pod-volumes.js';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { type Pod, type PodStatus, badRequest } from '@kjobs/api';
import { DEFAULT_BACKOFF } from './backoff.js';
import { type ContainerEngine, ProcessEngine } from './engine.js';
import { kubernetesServiceEnv } from './env.js';
import { IpAllocator } from './ip-allocator.js';
import { assertSafeSegment, exitFile, exitJournalDir, isSafeSegment, logFile, logFileUid, logTimesFile, logsDir, podDir, podsDir } from './layout.js';
import { silentLogger } from './logger.js';
import { type LogOptions, followLogFile, readLogFile } from './logs.js';
import { computePodStatus } from './pod-status.js';
import { PodWorker, type WorkerContext } from './pod-worker.js';
import { isProcessAlive } from './proc.js';
import type { CompiledOptions, ProcessRuntimeOptions, RuntimeEvent } from './runtime-options.js';
import { installShim } from './shim.js';
import { Launcher, launcherBinary } from './launcher.js';
import { StateJournal } from './state-journal.js';
import { pruneExitJournals } from './exit-journal.js';
import { type ContainerInstance, type ContainerRecord, type PodRecord, orderedContainers } from './state.js';
import { type ExecOptions, type ExecProcess, execInPod } from './exec.js';

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
  /** The pods' volumes (pod-volumes.ts) and the ConfigMaps/Secrets last given for each pod. */
  private readonly volumes: PodVolumes;
  private readonly configData = new Map<string, PodConfigData>();
  private readonly mountFailures = new Map<string, string>();
  private readonly opts: CompiledOptions;
  private readonly ctx: WorkerContext;
  /** The engine runs go through (processes, or OCI containers). */
  readonly engine: ContainerEngine;
  private readonly changeListeners = new Set<(uid: string) => void>();
  private readonly eventListeners = new Set<(e: RuntimeEvent) => void>();
  private shimPath: Promise<string> | undefined;
  private launcherPath: Promise<string | undefined> | undefined;
  private liveLauncher: Launcher | undefined;
  private launcherStarting: Promise<Launcher | undefined> | undefined;
  private readonly launcherSetting: string | false | undefined;
  private closed = false;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(options: ProcessRuntimeOptions) {
    this.launcherSetting = options.launcher;
    const clock = options.clock;
    const k8s = options.kubernetesService;
    this.opts = {
      rootDir: options.rootDir,
      nodeName: options.nodeName,
      podIPRange: options.podIPRange,
      catalog: options.catalog,
      hostIP: options.hostIP ?? '127.0.0.1',
      now: clock ? () => clock.now() : Date.now,
      log: options.logger ?? silentLogger,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      minimumGracePeriodSeconds: options.minimumGracePeriodSeconds ?? 2,
      configRetryMs: options.configRetryMs ?? 10_000,
      pollIntervalMs: options.pollIntervalMs ?? 200,
      logTimesIntervalMs: options.logTimesIntervalMs ?? 250,
      kubernetesEnv: k8s ? kubernetesServiceEnv(k8s.host, k8s.port) : undefined,
    };
    this.engine = options.engine ?? new ProcessEngine(options.catalog, options.rootDir);
    this.ctx = {
      opts: this.opts,
      engine: this.engine,
      ipam: new IpAllocator(options.podIPRange),
      ...(options.podNetwork ? { network: options.podNetwork } : {}),
      journal: new StateJournal(options.rootDir),
      starter: () => this.starter(),
      isClosed: () => this.closed,
      emitChange: (uid) => this.emitChange(uid),
      emitEvent: (e) => this.emitEvent(e),
      configData: (uid) => this.configData.get(uid),
    };
    this.volumes = new PodVolumes(options.rootDir, { linkMountPaths: !options.engine, ...options.volumes, log: this.opts.log });
  }

  /** Subscribe to "this pod's status may have changed"; returns the unsubscribe function. */
  onChange(cb: (podUid: string) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  /** Subscribe to events (Pulled, Created, Started, Killing, BackOff, Unhealthy, Failed, …); returns the unsubscribe function. */
  onEvent(cb: (e: RuntimeEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
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
    await this.shim();
    for (const record of this.ctx.journal.records()) {
      const uid = record.uid;
      if (!isSafeSegment(uid) || this.workers.has(uid)) continue;
      const w = new PodWorker(record, this.ctx);
      this.workers.set(uid, w);
      if (record.podIP && !record.netns && !this.ctx.ipam.reserve(uid, record.podIP)) this.opts.log.warn({ uid, ip: record.podIP }, 'recovered pod IP is outside the range or taken');
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
    if (configData) this.configData.set(uid, configData);
    // Containers start only once every volume is set up (FailedMount until then); a running pod keeps going.
    if (!(await this.setUpVolumes(pod, worker.record.podIP)) && !worker.synced) return;
    await worker.exclusive(() => worker.sync(pod, serviceEnv));
    if (pod.metadata.deletionTimestamp) void worker.kill(pod.metadata.deletionGracePeriodSeconds);
  }

  /**
   * Set up the pod's volumes; false (with one Warning `FailedMount` event per new message, as the
   * kubelet words it) when one cannot be.
   */
  private async setUpVolumes(pod: Pod, podIP: string | undefined): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    const got = await this.volumes.setUp({
      pod, podIP: podIP ?? '', hostIP: this.opts.hostIP, nodeName: this.opts.nodeName, data: this.configData.get(uid), now: new Date(this.opts.now()),
    });
    if (got.ok) {
      this.mountFailures.delete(uid);
      return true;
    }
    const message = `MountVolume.SetUp failed for volume "${got.volume}" : ${got.message}`;
    if (this.mountFailures.get(uid) !== message) {
      this.mountFailures.set(uid, message);
      this.emitEvent({ podUid: uid, namespace: pod.metadata.namespace ?? 'default', podName: pod.metadata.name ?? '', type: 'Warning', reason: 'FailedMount', message });
    }
    return false;
  }

  private async tearDownVolumes(uid: string): Promise<void> {
    this.configData.delete(uid);
    this.mountFailures.delete(uid);
    await this.volumes.tearDown(uid).catch((err: unknown) => this.opts.log.warn({ uid, err }, 'removing the pod volumes failed'));
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
    for (const uid of await readdir(podsDir(this.opts.rootDir)).catch(() => [] as string[])) {
      if (!keep.has(uid) && !this.workers.has(uid) && isSafeSegment(uid)) {
        await rm(podDir(this.opts.rootDir, uid), { recursive: true, force: true });
        orphans.push(uid);
      }
    }
    // Logs of pods no longer known (a crash between removing a pod and its logs).
    const logs = logsDir(this.opts.rootDir);
    for (const name of await readdir(logs).catch(() => [] as string[])) {
      const uid = logFileUid(name);
      if (uid !== undefined && !keep.has(uid) && !this.workers.has(uid)) await rm(join(logs, name), { force: true });
    }
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
      if (w.record.netns) await this.ctx.network?.tearDown(uid);
      await this.removeLogs(w.record);
    }
    this.ctx.journal.remove(uid);
    this.tombstones.add(uid);
    if (this.tombstones.size > TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value ?? '');
    await this.tearDownVolumes(uid);
    await rm(podDir(this.opts.rootDir, uid), { recursive: true, force: true });
  }

  /** Every log, log-times and exit file of every run the record knows (attempts 0 … the latest). */
  private async removeLogs(r: PodRecord): Promise<void> {
    const files: string[] = [];
    for (const c of Object.values(r.containers)) {
      const last = Math.max(c.restartCount, c.current?.attempt ?? 0);
      for (let n = 0; n <= last; n++) {
        files.push(logFile(this.opts.rootDir, r.uid, c.name, n), logTimesFile(this.opts.rootDir, r.uid, c.name, n), exitFile(this.opts.rootDir, r.uid, c.name, n));
      }
    }
    await Promise.all(files.map((f) => rm(f, { force: true })));
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
    (await this.launcherStarting)?.close();
    this.liveLauncher?.close();
    this.ctx.journal.close();
  }

  /**
   * A container's log with `kubectl logs` options. Throws ApiError 400 as the kubelet does for an
   * unknown container, one that never started, or a missing previous run.
   */
  async readLogs(podUid: string, container: string, opts: LogOptions = {}): Promise<string> {
    const { inst } = this.logTarget(podUid, container, opts);
    const log = logFile(this.opts.rootDir, podUid, container, inst.attempt);
    const times = logTimesFile(this.opts.rootDir, podUid, container, inst.attempt);
    return (await readLogFile(log, times, opts, this.opts.now())).toString('utf8');
  }

  /**
   * Stream a container's log (`kubectl logs -f`): what is there, then new output, until the run
   * ends, `limitBytes` is reached or `signal` aborts. Chunks are whole UTF-8 characters. Throws
   * like readLogs.
   */
  async followLogs(podUid: string, container: string, opts: LogOptions, onChunk: (chunk: string) => void, signal: AbortSignal): Promise<void> {
    const { rec, inst } = this.logTarget(podUid, container, opts);
    const decoder = new StringDecoder('utf8');
    await followLogFile({
      logPath: logFile(this.opts.rootDir, podUid, container, inst.attempt),
      timesPath: logTimesFile(this.opts.rootDir, podUid, container, inst.attempt),
      opts,
      signal,
      onChunk: (b) => {
        const s = decoder.write(b);
        if (s) onChunk(s);
      },
      isDone: () => opts.previous === true || this.closed || rec.current !== inst || inst.finishedAt !== undefined,
      now: this.opts.now,
      pollMs: this.opts.pollIntervalMs,
    });
    const rest = decoder.end();
    if (rest) onChunk(rest);
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

  private shim(): Promise<string> {
    this.shimPath ??= installShim(this.opts.rootDir);
    return this.shimPath;
  }

  /** The sh shim (always installed: the fallback) and the launcher, started again if it died. */
  private async starter(): Promise<{ shimPath: string; launcher?: Launcher }> {
    const shimPath = await this.shim();
    const launcher = this.liveLauncher?.alive ? this.liveLauncher : await (this.launcherStarting ??= this.startLauncher());
    return launcher ? { shimPath, launcher } : { shimPath };
  }

  private async startLauncher(): Promise<Launcher | undefined> {
    try {
      this.launcherPath ??= this.launcherSetting === false ? Promise.resolve(undefined)
        : typeof this.launcherSetting === 'string' ? Promise.resolve(this.launcherSetting)
        : launcherBinary(this.opts.log);
      const binary = await this.launcherPath;
      if (!binary || this.closed) return undefined;
      const journals = exitJournalDir(this.opts.rootDir);
      await mkdir(journals, { recursive: true });
      this.liveLauncher = await Launcher.start(binary, this.opts.log, this.opts.rootDir, journals).catch((err: Error) => {
        this.opts.log.warn({ err: err.message, binary }, 'cannot start the container launcher: using the sh shim');
        this.launcherPath = Promise.resolve(undefined);
        return undefined;
      });
      return this.liveLauncher;
    } finally {
      this.launcherStarting = undefined;
    }
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
      await this.shim();
    });
    return w;
  }

  private emitChange(uid: string): void {
    for (const cb of this.changeListeners) {
      try {
        cb(uid);
      } catch (err) {
        this.opts.log.warn({ uid, err }, 'onChange listener threw');
      }
    }
  }

  private emitEvent(e: RuntimeEvent): void {
    for (const cb of this.eventListeners) {
      try {
        cb(e);
      } catch (err) {
        this.opts.log.warn({ uid: e.podUid, err }, 'onEvent listener threw');
      }
    }
  }

  private logTarget(podUid: string, container: string, opts: LogOptions): { rec: ContainerRecord; inst: ContainerInstance } {
    const r = this.workers.get(podUid)?.record;
    const rec = r && Object.hasOwn(r.containers, container) ? r.containers[container] : undefined;
    const podName = r?.name ?? podUid;
    if (!rec) throw badRequest(`container ${container} is not valid for pod ${podName}`);
    if (opts.previous) {
      if (!rec.previous) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      return { rec, inst: rec.previous };
    }
    if (!rec.current) throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${rec.waiting?.reason ?? 'ContainerCreating'}`);
    return { rec, inst: rec.current };
  }
}
