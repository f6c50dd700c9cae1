import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StringDecoder } from 'node:string_decoder';
import { type Container, type Pod, type PodStatus, badRequest } from '@kjobs/api';
import { DEFAULT_BACKOFF, type BackoffOptions, nextBackoff } from './backoff.js';
import type { Catalog } from './catalog.js';
import { reapGroup, startShim, waitForExit, type RunExit } from './container-process.js';
import { kubernetesServiceEnv } from './env.js';
import { IpAllocator } from './ip-allocator.js';
import { exitFile, isSafeSegment, assertSafeSegment, logFile, logTimesFile, podDir, podsDir } from './layout.js';
import { prepareLaunch } from './launch.js';
import { type Logger, silentLogger } from './logger.js';
import { type LogOptions, LogTimesRecorder, followLogFile, readLogFile } from './logs.js';
import { computePodActions } from './pod-actions.js';
import { computePodStatus } from './pod-status.js';
import { isProcessAlive, signalGroup, signalProcess, waitGroupGone } from './proc.js';
import { ProbeWorker, type ProbeKind, type ProbeReport } from './probe-worker.js';
import { type ProbeTarget, resolveProbe } from './probes.js';
import { installShim } from './shim.js';
import { loadPodRecord, savePodRecord } from './state-file.js';
import { type ContainerInstance, type ContainerRecord, type KillCause, type PodRecord, isRunning, newContainerRecord, orderedContainers } from './state.js';

/** A source of "now" (epoch ms); tests may inject one. Timers still run on real time. */
export interface Clock {
  now(): number;
}

/** Options of a ProcessRuntime; every optional field names its default. */
export interface ProcessRuntimeOptions {
  /** Directory for the shim, pod directories, logs and state files. */
  rootDir: string;
  /** This node's name (fieldRef spec.nodeName fallback). */
  nodeName: string;
  /** CIDR pod IPs come from, e.g. `127.1.0.0/16`; disjoint for agents sharing a machine. */
  podIPRange: string;
  /** The image catalog (loadCatalog / createCatalog). */
  catalog: Catalog;
  /** status.hostIP. Default `127.0.0.1`. */
  hostIP?: string;
  /** Default the system clock. */
  clock?: Clock;
  /** Default silent. */
  logger?: Logger;
  /** Crash-loop backoff. Default `{ initialMs: 10_000, maxMs: 300_000 }` (the kubelet's). */
  backoff?: Partial<BackoffOptions>;
  /** Floor of a graceful stop (grace > 0); 0 always means SIGKILL at once. Default 2 (the kubelet's). */
  minimumGracePeriodSeconds?: number;
  /** How soon a container waiting on a config error is tried again. Default 10 000 ms. */
  configRetryMs?: number;
  /** Poll interval for re-attached runs and followed logs. Default 200 ms. */
  pollIntervalMs?: number;
  /** How often log growth is sampled for timestamps. Default 250 ms. */
  logTimesIntervalMs?: number;
  /** Gives every container KUBERNETES_SERVICE_HOST/PORT and friends. Default none. */
  kubernetesService?: { host: string; port: number };
}

/** Something the agent should record as a Kubernetes Event on the pod. */
export interface RuntimeEvent {
  podUid: string;
  namespace: string;
  podName: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{name}` / `spec.initContainers{name}` when about one container. */
  fieldPath?: string;
}

interface LiveRun {
  name: string;
  inst: ContainerInstance;
  stop: AbortController;
  probes: ProbeWorker[];
  times: LogTimesRecorder;
  target: ProbeTarget;
  /** Settles once the run's end was recorded (or watching stopped). */
  exited: Promise<void>;
}

interface LivePod {
  record: PodRecord;
  /** Set by syncPod; until then (after recover) nothing is started. */
  synced: boolean;
  runs: Map<string, LiveRun>;
  lock: Promise<unknown>;
  wakeTimer?: NodeJS.Timeout;
  killing?: Promise<void>;
  removed?: boolean;
}

/**
 * Runs pods as local process groups: the kubelet + container runtime of a kjobs node.
 * Level-triggered: `syncPod` makes the processes match the pod; container exits, probe results,
 * backoff ends and the pod deadline re-run the same decision (computePodActions) by themselves,
 * then `onChange` tells the agent to recompute `podStatus(pod)` and PATCH it. Everything about a
 * pod is serialised on one per-pod queue.
 */
export class ProcessRuntime {
  private readonly pods = new Map<string, LivePod>();
  private readonly ipam: IpAllocator;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly changeListeners = new Set<(uid: string) => void>();
  private readonly eventListeners = new Set<(e: RuntimeEvent) => void>();
  private shimPath: Promise<string> | undefined;
  private closed = false;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.ipam = new IpAllocator(opts.podIPRange);
    const clock = opts.clock;
    this.now = clock ? () => clock.now() : Date.now;
    this.log = opts.logger ?? silentLogger;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
  }

  /** Subscribe to "this pod's status may have changed"; returns the unsubscribe function. */
  onChange(cb: (podUid: string) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  /** Subscribe to events (Created, Started, Killing, BackOff, Unhealthy, Failed, …); returns the unsubscribe function. */
  onEvent(cb: (e: RuntimeEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  /** Uids of the pods the runtime holds. */
  knownPods(): string[] {
    return [...this.pods.keys()];
  }

  /** The pod's status from what the runtime knows (pure: computePodStatus). */
  podStatus(pod: Pod): PodStatus {
    return computePodStatus(pod, this.pods.get(pod.metadata.uid ?? '')?.record, this.now());
  }

  /** The runtime's record of a pod (read-only use: tests, debugging). */
  podRecord(uid: string): PodRecord | undefined {
    return this.pods.get(uid)?.record;
  }

  /**
   * Re-attach after an agent (re)start. Does:
   * 1. install the shim;
   * 2. load every pod's state file and reserve its IP;
   * 3. for each recorded run: watch it again if its shim lives (pid and start time match),
   *    else record its exit status from the exit file (137 ContainerStatusUnknown without one).
   * Nothing is (re)started until syncPod confirms the pod. Returns the known pod uids.
   */
  async recover(): Promise<string[]> {
    await this.shim();
    const uids = await readdir(podsDir(this.opts.rootDir)).catch(() => [] as string[]);
    for (const uid of uids) {
      if (!isSafeSegment(uid) || this.pods.has(uid)) continue;
      const record = await loadPodRecord(this.opts.rootDir, uid);
      if (!record) continue;
      const live: LivePod = { record, synced: false, runs: new Map(), lock: Promise.resolve() };
      this.pods.set(uid, live);
      if (record.podIP && !this.ipam.reserve(uid, record.podIP)) this.log.warn({ uid, ip: record.podIP }, 'recovered pod IP is outside the range or taken');
      await this.exclusive(live, async () => {
        for (const rec of Object.values(record.containers)) {
          const inst = rec.current;
          if (!isRunning(inst)) continue;
          if (isProcessAlive(inst.pid, inst.procStart)) await this.attachRun(live, rec, inst);
          else await this.recordExit(live, rec.name, inst, await this.exitOfDead(live, rec.name, inst));
        }
        await this.persist(live);
      });
      this.emitChange(uid);
    }
    return this.knownPods();
  }

  /**
   * Make the pod's processes match the pod (level-triggered, idempotent). Does:
   * 1. admit a new pod: its directory, IP and startTime (a pod the API already shows terminal,
   *    or deleted, is not admitted);
   * 2. remember the pod and its Service env vars;
   * 3. decide (computePodActions) and act: start, restart after backoff, kill at the deadline;
   * 4. a pod with a deletionTimestamp is killed with its deletion grace period.
   */
  async syncPod(pod: Pod, serviceEnv: Record<string, string>): Promise<void> {
    if (this.closed) return;
    const uid = pod.metadata.uid ?? '';
    assertSafeSegment(uid, 'pod uid');
    let live = this.pods.get(uid);
    if (!live) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp) return;
      live = this.admit(pod);
    }
    const target = live;
    await this.exclusive(target, async () => {
      if (target.removed) return;
      target.record.pod = pod;
      target.record.serviceEnv = serviceEnv;
      target.synced = true;
      for (const c of orderedContainers(pod)) {
        assertSafeSegment(c.name, 'container name');
        target.record.containers[c.name] ??= newContainerRecord(c.name, c.init);
      }
      await this.reconcile(target);
    });
    if (pod.metadata.deletionTimestamp) void this.killPod(uid, pod.metadata.deletionGracePeriodSeconds);
  }

  /**
   * Stop the pod for good: SIGTERM to every running container (its shim forwards it to the
   * program), SIGKILL to each process group after the grace period, then wait until no process
   * of any group is left. `gracePeriodSeconds` defaults to the pod's deletion grace period, else
   * spec.terminationGracePeriodSeconds, else 30; values in (0, 2) are raised to the minimum;
   * 0 kills at once. Idempotent: a second call joins the first.
   */
  killPod(uid: string, gracePeriodSeconds?: number): Promise<void> {
    const live = this.pods.get(uid);
    if (!live) return Promise.resolve();
    live.killing ??= this.stopPod(live, gracePeriodSeconds);
    return live.killing;
  }

  /**
   * Kill and forget every pod not in `keepUids` (pods the API no longer binds here), and remove
   * pod directories without a state file. Resolves when none of their processes is left.
   * Returns the removed uids.
   */
  async killOrphans(keepUids: Iterable<string>, opts: { gracePeriodSeconds?: number } = {}): Promise<string[]> {
    const keep = new Set(keepUids);
    const orphans = [...this.pods.keys()].filter((uid) => !keep.has(uid));
    await Promise.all(orphans.map(async (uid) => {
      await this.killPod(uid, opts.gracePeriodSeconds);
      await this.removePod(uid);
    }));
    for (const uid of await readdir(podsDir(this.opts.rootDir)).catch(() => [] as string[])) {
      if (!keep.has(uid) && !this.pods.has(uid) && isSafeSegment(uid)) {
        await rm(podDir(this.opts.rootDir, uid), { recursive: true, force: true });
        orphans.push(uid);
      }
    }
    return orphans;
  }

  /** Forget a pod whose object is gone: kill anything left (SIGKILL), free its IP, delete its directory. */
  async removePod(uid: string): Promise<void> {
    assertSafeSegment(uid, 'pod uid');
    const live = this.pods.get(uid);
    if (live) {
      await this.killPod(uid, 0).catch(() => {});
      // A run left by a pod killed with grace is gone by now; this catches anything unexpected.
      await Promise.all([...live.runs.values()].map((r) => this.killRun(r, 0)));
      await this.exclusive(live, async () => {
        live.removed = true;
        if (live.wakeTimer) clearTimeout(live.wakeTimer);
      });
      this.pods.delete(uid);
      this.ipam.release(uid);
    }
    await rm(podDir(this.opts.rootDir, uid), { recursive: true, force: true });
  }

  /**
   * Stop watching (timers, probes, exit watchers) WITHOUT killing anything: pods keep running
   * and a new runtime on the same rootDir re-attaches with `recover()`.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const live of this.pods.values()) {
      if (live.wakeTimer) clearTimeout(live.wakeTimer);
      for (const run of live.runs.values()) this.detachRun(run);
    }
    await Promise.all([...this.pods.values()].map((l) => l.lock.catch(() => {})));
  }

  /**
   * A container's log with `kubectl logs` options. Throws ApiError 400 as the kubelet does for an
   * unknown container, one that never started, or a missing previous run.
   */
  async readLogs(podUid: string, container: string, opts: LogOptions = {}): Promise<string> {
    const { inst } = this.logTarget(podUid, container, opts);
    const paths = this.logPaths(podUid, container, inst.attempt);
    return (await readLogFile(paths.log, paths.times, opts, this.now())).toString('utf8');
  }

  /**
   * Stream a container's log (`kubectl logs -f`): what is there, then new output, until the run
   * ends, `limitBytes` is reached or `signal` aborts. Throws like readLogs.
   */
  async followLogs(podUid: string, container: string, opts: LogOptions, onChunk: (chunk: string) => void, signal: AbortSignal): Promise<void> {
    const { rec, inst } = this.logTarget(podUid, container, opts);
    const paths = this.logPaths(podUid, container, inst.attempt);
    const decoder = new StringDecoder('utf8');
    await followLogFile({
      logPath: paths.log,
      timesPath: paths.times,
      opts,
      signal,
      onChunk: (b) => {
        const s = decoder.write(b);
        if (s) onChunk(s);
      },
      isDone: () => opts.previous === true || this.closed || rec.current !== inst || inst.finishedAt !== undefined,
      now: this.now,
      pollMs: this.opts.pollIntervalMs ?? 200,
    });
    const rest = decoder.end();
    if (rest) onChunk(rest);
  }

  // ---- internals -------------------------------------------------------------------------

  private shim(): Promise<string> {
    this.shimPath ??= installShim(this.opts.rootDir);
    return this.shimPath;
  }

  private exclusive<T>(live: LivePod, fn: () => Promise<T>): Promise<T> {
    const next = live.lock.then(fn, fn);
    live.lock = next.catch((err: unknown) => this.log.error({ uid: live.record.uid, err }, 'pod operation failed'));
    return next;
  }

  private admit(pod: Pod): LivePod {
    const uid = pod.metadata.uid ?? '';
    const record: PodRecord = {
      uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      pod,
      hostIP: this.opts.hostIP ?? '127.0.0.1',
      startTime: new Date(this.now()).toISOString(),
      containers: {},
    };
    const live: LivePod = { record, synced: false, runs: new Map(), lock: Promise.resolve() };
    this.pods.set(uid, live);
    void this.exclusive(live, async () => {
      await mkdir(podDir(this.opts.rootDir, uid), { recursive: true });
      await this.shim();
    });
    return live;
  }

  private emitChange(uid: string): void {
    for (const cb of this.changeListeners) {
      try {
        cb(uid);
      } catch (err) {
        this.log.warn({ uid, err }, 'onChange listener threw');
      }
    }
  }

  private emitEvent(live: LivePod, type: RuntimeEvent['type'], reason: string, message: string, container?: ContainerRecord): void {
    const r = live.record;
    const e: RuntimeEvent = { podUid: r.uid, namespace: r.namespace, podName: r.name, type, reason, message };
    if (container) e.fieldPath = `spec.${container.init ? 'initContainers' : 'containers'}{${container.name}}`;
    for (const cb of this.eventListeners) {
      try {
        cb(e);
      } catch (err) {
        this.log.warn({ uid: r.uid, err }, 'onEvent listener threw');
      }
    }
  }

  private async persist(live: LivePod): Promise<void> {
    if (live.removed) return;
    try {
      await savePodRecord(this.opts.rootDir, live.record);
    } catch (err) {
      this.log.error({ uid: live.record.uid, err }, 'cannot save pod state');
    }
  }

  /** The decision loop body; runs inside the pod's queue. */
  private async reconcile(live: LivePod): Promise<void> {
    const r = live.record;
    if (this.closed || live.removed) return;
    if (live.wakeTimer) clearTimeout(live.wakeTimer);
    live.wakeTimer = undefined;
    if (live.synced && !r.stopped) this.ensureSandbox(live);
    let wakeAtMs: number | undefined;
    if (live.synced && r.podIP) {
      const actions = computePodActions(r, this.now(), this.backoff);
      if (actions.deadlineExceeded) {
        this.failPod(live, 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
      } else {
        for (const b of actions.backoff) {
          const rec = r.containers[b.name];
          if (!rec) continue;
          if (rec.waiting?.reason !== 'CrashLoopBackOff' || rec.waiting.message !== b.message) {
            this.emitEvent(live, 'Warning', 'BackOff', `Back-off restarting failed container ${b.name} in pod ${r.name}_${r.namespace}(${r.uid})`, rec);
          }
          rec.waiting = { reason: 'CrashLoopBackOff', message: b.message };
        }
        for (const name of actions.start) {
          const rec = r.containers[name];
          if (rec && !(await this.startContainer(live, rec))) wakeAtMs = this.now();
        }
        if (actions.done && !r.stopped) r.stopped = true;
        if (actions.wakeAtMs !== undefined) wakeAtMs = Math.min(wakeAtMs ?? Infinity, actions.wakeAtMs);
      }
    } else if (live.synced && r.sandboxError) {
      wakeAtMs = this.now() + (this.opts.configRetryMs ?? 10_000);
    }
    if (wakeAtMs !== undefined && !r.stopped) this.wakeAt(live, wakeAtMs);
    await this.persist(live);
    this.emitChange(r.uid);
  }

  private wakeAt(live: LivePod, atMs: number): void {
    const t = setTimeout(() => void this.exclusive(live, () => this.reconcile(live)), Math.max(0, atMs - this.now()));
    t.unref();
    live.wakeTimer = t;
  }

  private ensureSandbox(live: LivePod): void {
    const r = live.record;
    if (r.podIP) return;
    const ip = this.ipam.allocate(r.uid);
    if (ip) {
      r.podIP = ip;
      delete r.sandboxError;
      return;
    }
    const msg = `Failed to create pod sandbox: no free pod IP in ${this.opts.podIPRange}`;
    if (r.sandboxError !== msg) this.emitEvent(live, 'Warning', 'FailedCreatePodSandBox', msg);
    r.sandboxError = msg;
  }

  /** Pod-level failure (deadline): stop everything; the phase becomes Failed with this reason. */
  private failPod(live: LivePod, reason: string, message: string): void {
    const r = live.record;
    r.failure = { reason, message };
    r.stopped = true;
    this.emitEvent(live, 'Normal', reason, message);
    void this.killPod(r.uid, r.pod.spec.terminationGracePeriodSeconds ?? 30);
  }

  /** Start one run of a container. Returns false when it ended at once (StartError). */
  private async startContainer(live: LivePod, rec: ContainerRecord): Promise<boolean> {
    const r = live.record;
    const spec = containerSpec(r.pod, rec.name);
    if (!spec || !r.podIP) return true;
    const dir = podDir(this.opts.rootDir, r.uid);
    const envCtx = { pod: r.pod, container: spec, podIP: r.podIP, hostIP: r.hostIP, nodeName: this.opts.nodeName, podDir: dir, serviceEnv: r.serviceEnv ?? {}, kubernetesEnv: this.kubernetesEnv() };
    const prepared = await prepareLaunch(this.opts.catalog, envCtx);
    if (prepared.kind === 'waiting') {
      if (rec.waiting?.reason !== prepared.reason || rec.waiting.message !== prepared.message) {
        this.emitEvent(live, 'Warning', 'Failed', `Error: ${prepared.message}`, rec);
      }
      rec.waiting = { reason: prepared.reason, message: prepared.message, retryAtMs: this.now() + (this.opts.configRetryMs ?? 10_000) };
      return true;
    }
    const now = this.now();
    if (rec.current) {
      const finishedMs = Date.parse(rec.current.finishedAt ?? '') || now;
      rec.backoff = nextBackoff(rec.backoff, finishedMs, now, this.backoff);
      rec.previous = rec.current;
      rec.restartCount += 1;
    }
    delete rec.waiting;
    delete rec.killing;
    const attempt = rec.restartCount;
    const base = { attempt, imageID: prepared.imageID, startedAt: new Date(now).toISOString() };
    if (prepared.kind === 'start-error') return this.startFailed(live, rec, base, prepared.message);
    let started;
    try {
      started = await startShim({
        shimPath: await this.shim(),
        exitFile: exitFile(this.opts.rootDir, r.uid, rec.name, attempt),
        logFile: logFile(this.opts.rootDir, r.uid, rec.name, attempt),
        argv: prepared.argv,
        env: prepared.env,
        cwd: dir,
      });
    } catch (err) {
      return this.startFailed(live, rec, base, (err as Error).message);
    }
    const inst: ContainerInstance = { ...base, pid: started.pid, pgid: started.pid };
    if (started.procStart !== undefined) inst.procStart = started.procStart;
    rec.current = inst;
    rec.ready = !spec.readinessProbe || rec.init;
    rec.started = !spec.startupProbe || rec.init;
    this.emitEvent(live, 'Normal', 'Pulled', `Container image "${spec.image ?? ''}" already present on machine`, rec);
    this.emitEvent(live, 'Normal', 'Created', `Created container: ${rec.name}`, rec);
    this.emitEvent(live, 'Normal', 'Started', `Started container ${rec.name}`, rec);
    this.log.debug({ uid: r.uid, container: rec.name, pid: inst.pid, attempt }, 'container started');
    await this.attachRun(live, rec, inst, started.child);
    return true;
  }

  private startFailed(live: LivePod, rec: ContainerRecord, base: Pick<ContainerInstance, 'attempt' | 'imageID'>, message: string): false {
    const nowIso = new Date(this.now()).toISOString();
    rec.current = { ...base, pid: 0, pgid: 0, startedAt: new Date(0).toISOString(), finishedAt: nowIso, exitCode: 128, reason: 'StartError', message };
    rec.ready = false;
    rec.started = false;
    this.emitEvent(live, 'Warning', 'Failed', `Error: failed to start container "${rec.name}": ${message}`, rec);
    return false;
  }

  private kubernetesEnv(): Record<string, string> | undefined {
    const k = this.opts.kubernetesService;
    return k ? kubernetesServiceEnv(k.host, k.port) : undefined;
  }

  /** Watch a run: its exit, its log growth (timestamps) and its probes. */
  private async attachRun(live: LivePod, rec: ContainerRecord, inst: ContainerInstance, child?: ChildProcess): Promise<void> {
    const r = live.record;
    const spec = containerSpec(r.pod, rec.name);
    const paths = this.logPaths(r.uid, rec.name, inst.attempt);
    const times = new LogTimesRecorder(paths.log, paths.times, this.now, this.opts.logTimesIntervalMs ?? 250);
    await times.start();
    const dir = podDir(this.opts.rootDir, r.uid);
    const env = spec && r.podIP ? await prepareLaunch(this.opts.catalog, { pod: r.pod, container: spec, podIP: r.podIP, hostIP: r.hostIP, nodeName: this.opts.nodeName, podDir: dir, serviceEnv: r.serviceEnv ?? {}, kubernetesEnv: this.kubernetesEnv() }) : undefined;
    const run: LiveRun = {
      name: rec.name,
      inst,
      stop: new AbortController(),
      probes: [],
      times,
      target: { podIP: r.podIP ?? '127.0.0.1', env: env && env.kind !== 'waiting' ? env.env : {}, cwd: dir, ports: spec?.ports ?? [] },
      exited: Promise.resolve(),
    };
    const watch = { pid: inst.pid, exitFile: exitFile(this.opts.rootDir, r.uid, rec.name, inst.attempt), ...(inst.procStart !== undefined ? { procStart: inst.procStart } : {}), ...(child ? { child } : {}) };
    run.exited = (async () => {
      const exit = await waitForExit(watch, run.stop.signal, this.opts.pollIntervalMs ?? 200);
      if (!exit) return;
      await times.stop();
      await this.exclusive(live, () => this.recordExit(live, rec.name, inst, exit, true));
    })();
    live.runs.set(rec.name, run);
    if (spec && !rec.init) this.startProbes(live, run, spec, rec);
  }

  private detachRun(run: LiveRun): void {
    run.stop.abort();
    for (const p of run.probes) p.stop();
    run.probes = [];
    run.times.halt();
  }

  private startProbes(live: LivePod, run: LiveRun, spec: Container, rec: ContainerRecord): void {
    const add = (kind: ProbeKind, probe: Container['livenessProbe']) => {
      if (!probe) return;
      const w = new ProbeWorker(kind, resolveProbe(probe), run.target, (rep) => void this.exclusive(live, () => this.onProbe(live, run, rep)));
      run.probes.push(w);
      w.start();
    };
    if (spec.startupProbe && !rec.started) add('Startup', spec.startupProbe);
    else {
      add('Liveness', spec.livenessProbe);
      add('Readiness', spec.readinessProbe);
    }
  }

  private async onProbe(live: LivePod, run: LiveRun, rep: ProbeReport): Promise<void> {
    const r = live.record;
    const rec = r.containers[run.name];
    if (!rec || live.runs.get(run.name) !== run || rec.current !== run.inst || rec.killing || r.stopped) return;
    if (!rep.outcome.ok) this.emitEvent(live, 'Warning', 'Unhealthy', `${rep.kind} probe failed: ${rep.outcome.output}`, rec);
    if (!rep.changed) return;
    const spec = containerSpec(r.pod, run.name);
    if (rep.kind === 'Readiness') rec.ready = rep.result === true;
    else if (rep.kind === 'Startup' && rep.result === true && spec) {
      rec.started = true;
      for (const p of run.probes) p.stop();
      run.probes = [];
      this.startProbes(live, run, spec, rec);
    } else if (rep.result === false) {
      const cause: KillCause = rep.kind === 'Startup' ? 'startup' : 'liveness';
      rec.killing = cause;
      const restart = (r.pod.spec.restartPolicy ?? 'Always') !== 'Never' ? ', will be restarted' : '';
      this.emitEvent(live, 'Normal', 'Killing', `Container ${run.name} failed ${rep.kind.toLowerCase()} probe${restart}`, rec);
      const probe = rep.kind === 'Startup' ? spec?.startupProbe : spec?.livenessProbe;
      void this.killRun(run, probe?.terminationGracePeriodSeconds ?? r.pod.spec.terminationGracePeriodSeconds ?? 30);
    }
    await this.persist(live);
    this.emitChange(r.uid);
  }

  /** Record how a run ended, clean up its group, and decide again (inside the pod's queue). */
  private async recordExit(live: LivePod, name: string, inst: ContainerInstance, exit: RunExit, decide = false): Promise<void> {
    const rec = live.record.containers[name];
    const run = live.runs.get(name);
    if (run && run.inst === inst) {
      this.detachRun(run);
      live.runs.delete(name);
    }
    if (!rec || rec.current !== inst || inst.finishedAt !== undefined) return;
    inst.finishedAt = new Date(exit.finishedAtMs ?? this.now()).toISOString();
    inst.exitCode = exit.exitCode;
    inst.reason = exit.unknown ? 'ContainerStatusUnknown' : exit.exitCode === 0 ? 'Completed' : 'Error';
    if (exit.unknown) inst.message = 'The container could not be located when the pod was terminated';
    reapGroup(inst.pgid, inst.procStart);
    rec.ready = false;
    rec.started = false;
    delete rec.killing;
    this.log.debug({ uid: live.record.uid, container: name, exitCode: exit.exitCode }, 'container exited');
    if (decide) await this.reconcile(live);
  }

  private async exitOfDead(live: LivePod, name: string, inst: ContainerInstance): Promise<RunExit> {
    const ac = new AbortController();
    return (await waitForExit({ pid: inst.pid, exitFile: exitFile(this.opts.rootDir, live.record.uid, name, inst.attempt), ...(inst.procStart !== undefined ? { procStart: inst.procStart } : {}) }, ac.signal, 1)) ?? { exitCode: 137, unknown: true };
  }

  private async stopPod(live: LivePod, gracePeriodSeconds?: number): Promise<void> {
    const r = live.record;
    const runs = await this.exclusive(live, async () => {
      r.stopped = true;
      if (live.wakeTimer) clearTimeout(live.wakeTimer);
      for (const rec of Object.values(r.containers)) {
        if (isRunning(rec.current)) {
          rec.killing ??= 'pod';
          this.emitEvent(live, 'Normal', 'Killing', `Stopping container ${rec.name}`, rec);
        } else if (rec.waiting?.reason === 'CrashLoopBackOff') delete rec.waiting;
      }
      await this.persist(live);
      this.emitChange(r.uid);
      return [...live.runs.values()];
    });
    const grace = gracePeriodSeconds ?? r.pod.metadata.deletionGracePeriodSeconds ?? r.pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(runs.map((run) => this.killRun(run, grace)));
  }

  /**
   * Stop one run: SIGTERM to the shim, SIGKILL to the group after the grace period (at once for
   * 0), then wait for the exit to be recorded and the group to be empty.
   */
  private async killRun(run: LiveRun, graceSeconds: number): Promise<void> {
    const { pid, pgid, procStart } = run.inst;
    // Shims are unref'd so pods never hold the agent open; a caller awaiting a kill must not see
    // the process exit under it, so keep the event loop alive until the kill is done.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      if (graceSeconds <= 0) signalGroup(pgid, 'SIGKILL', procStart);
      else {
        const graceMs = Math.max(graceSeconds, this.opts.minimumGracePeriodSeconds ?? 2) * 1000;
        signalProcess(pid, 'SIGTERM', procStart);
        const ac = new AbortController();
        const timedOut = await Promise.race([run.exited.then(() => false), sleep(graceMs, true, { signal: ac.signal }).catch(() => false)]);
        ac.abort();
        if (timedOut) signalGroup(pgid, 'SIGKILL', procStart);
      }
      await run.exited;
      if (!(await waitGroupGone(pgid, 10_000))) this.log.warn({ pgid }, 'process group still has members after SIGKILL');
    } finally {
      clearInterval(keepAlive);
    }
  }

  private logTarget(podUid: string, container: string, opts: LogOptions): { rec: ContainerRecord; inst: ContainerInstance } {
    const r = this.pods.get(podUid)?.record;
    const rec = r?.containers[container];
    const podName = r?.name ?? podUid;
    if (!rec) throw badRequest(`container ${container} is not valid for pod ${podName}`);
    if (opts.previous) {
      if (!rec.previous) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      return { rec, inst: rec.previous };
    }
    if (!rec.current) throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${rec.waiting?.reason ?? 'ContainerCreating'}`);
    return { rec, inst: rec.current };
  }

  private logPaths(uid: string, container: string, attempt: number): { log: string; times: string } {
    return { log: logFile(this.opts.rootDir, uid, container, attempt), times: logTimesFile(this.opts.rootDir, uid, container, attempt) };
  }
}

function containerSpec(pod: Pod, name: string): Container | undefined {
  return pod.spec.initContainers?.find((c) => c.name === name) ?? pod.spec.containers.find((c) => c.name === name);
}
