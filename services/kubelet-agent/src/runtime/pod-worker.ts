import type { Container, Pod } from '@kjobs/api';
import { stopSidecars } from './sidecars.js';
import type { RunChild, RunExit } from './container-process.js';
import { attachArgs, exitOfDeadRun, recordRunEnd } from './container-attach.js';
import { ContainerRun } from './container-run.js';
import { containerSpec, startRun } from './container-start.js';
import { lifecycleOf, runHook } from './hooks.js';
import { computePodActions, isSidecar } from './pod-actions.js';
import { ensureSandbox, releaseSandbox } from './pod-sandbox.js';
import type { ProbeReport } from './probe-worker.js';
import type { RuntimeEvent } from './runtime-options.js';
import { type ContainerInstance, type ContainerRecord, type PodRecord, isRunning, newContainerRecord, orderedContainers } from './state.js';
import type { WorkerContext } from './worker-context.js';

/** How long a postStart hook (and the container it waits for) may take before it counts as failed. */
const POST_START_LIMIT_MS = 60_000;

/**
 * One pod on this node: its record, its live runs, and the decide → act → record loop. Every
 * operation runs on the worker's queue (`exclusive`), so container exits, probe results, timers
 * and syncPod calls never interleave.
 */
export class PodWorker {
  /** Set by syncPod; until then (after recover) nothing is started. */
  synced = false;
  /** Set by removePod: nothing is written any more. */
  removed = false;
  readonly runs = new Map<string, ContainerRun>();
  private lock: Promise<unknown> = Promise.resolve();
  /** The record as last saved, and the status-relevant state as last announced (see notify). */
  private saved = '';
  private announced = '';
  private wakeTimer: NodeJS.Timeout | undefined;
  private killing: Promise<void> | undefined;
  /** When the kill in progress ends the runs at the latest (epoch ms). */
  private killDeadline = Infinity;

  constructor(readonly record: PodRecord, private readonly ctx: WorkerContext) {}

  /** Run `fn` after every earlier operation of this pod. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch((err: unknown) => this.ctx.opts.log.error({ uid: this.record.uid, err }, 'pod operation failed'));
    return next;
  }

  /** Take the pod as the API has it now, then decide and act (inside the queue). */
  async sync(pod: Pod, serviceEnv: Record<string, string>): Promise<void> {
    if (this.removed) return;
    const r = this.record;
    r.pod = pod;
    r.serviceEnv = serviceEnv;
    this.synced = true;
    for (const c of orderedContainers(pod)) r.containers[c.name] ??= newContainerRecord(c.name, c.init);
    await this.reconcile();
  }

  /** After a restart: watch live runs again and record those that ended meanwhile (inside the queue). */
  async reattach(isAlive: (inst: ContainerInstance) => boolean): Promise<void> {
    for (const rec of Object.values(this.record.containers)) {
      const inst = rec.current;
      if (!isRunning(inst)) continue;
      if (isAlive(inst)) await this.attach(rec, inst);
      else await this.recordExit(rec.name, inst, await exitOfDeadRun(this.ctx, this.record, rec.name, inst), false);
    }
    await this.persist();
  }

  /** Stop the pod for good (idempotent; a second call joins the first). */
  kill(gracePeriodSeconds?: number): Promise<void> {
    const r = this.record;
    const graceMs = this.graceMs(gracePeriodSeconds ?? r.pod.metadata.deletionGracePeriodSeconds ?? r.pod.spec.terminationGracePeriodSeconds ?? 30);
    const deadline = this.ctx.opts.now() + graceMs;
    if (!this.killing) {
      this.killDeadline = deadline;
      this.killing = this.stop(gracePeriodSeconds);
    } else if (gracePeriodSeconds !== undefined && deadline < this.killDeadline) {
      // A shorter grace than the kill in progress (node shutdown, a forced delete) ends the runs
      // sooner, as the kubelet shortens a kill; without it a node shutdown waits out a 30 s grace.
      this.killDeadline = deadline;
      const t = setTimeout(() => void Promise.all([...this.runs.values()].map((run) => run.kill(0, this.ctx.opts.log))), graceMs);
      void this.killing.finally(() => clearTimeout(t));
    }
    return this.killing;
  }

  /** Stop timers and watchers; processes keep running. */
  detach(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const run of this.runs.values()) run.detach();
  }

  /** Settles when the queue is idle. */
  idle(): Promise<unknown> {
    return this.lock.catch(() => {});
  }

  private event(type: RuntimeEvent['type'], reason: string, message: string, c?: ContainerRecord): void {
    const r = this.record;
    const e: RuntimeEvent = { podUid: r.uid, namespace: r.namespace, podName: r.name, type, reason, message };
    if (c) e.fieldPath = `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
    this.ctx.emitEvent(e);
  }

  /** Save the record when it changed since the last save. */
  private async persist(): Promise<void> {
    if (this.removed) return;
    const json = JSON.stringify(this.record);
    if (json === this.saved) return;
    try {
      this.ctx.journal.save(this.record, json);
      this.saved = json;
    } catch (err) {
      this.ctx.opts.log.error({ uid: this.record.uid, err }, 'cannot save pod state');
    }
  }

  /**
   * Tell the agent when what the status is computed from changed. Only then: the agent's answer
   * to onChange is a syncPod, and a syncPod that changes nothing must not announce again, or the
   * two would loop forever.
   */
  private notify(): void {
    const { pod: _pod, serviceEnv: _env, ...state } = this.record;
    const fp = JSON.stringify(state);
    if (fp === this.announced) return;
    this.announced = fp;
    this.ctx.emitChange(this.record.uid);
  }

  /**
   * Decide (computePodActions) and act. Does: 1. give the pod its IP; 2. on a passed deadline,
   * fail and kill the pod; 3. mark containers in backoff (BackOff event on entering it);
   * 4. start what must start; 5. mark the pod stopped when done, and give its sandbox back; 6. arm the wake timer;
   * 7. save the record and tell the agent.
   */
  private async reconcile(): Promise<void> {
    const r = this.record;
    const { opts } = this.ctx;
    if (this.ctx.isClosed() || this.removed) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (this.synced && !r.stopped) await ensureSandbox(this.ctx, r, (...e) => this.event(...e));
    let wakeAtMs: number | undefined;
    if (this.synced && r.podIP) {
      const actions = computePodActions(r, opts.now(), opts.backoff);
      if (actions.deadlineExceeded) {
        this.fail('DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
      } else {
        for (const b of actions.backoff) {
          const rec = r.containers[b.name];
          if (!rec) continue;
          if (rec.waiting?.reason !== 'CrashLoopBackOff' || rec.waiting.message !== b.message) {
            this.event('Warning', 'BackOff', `Back-off restarting failed container ${b.name} in pod ${r.name}_${r.namespace}(${r.uid})`, rec);
          }
          rec.waiting = { reason: 'CrashLoopBackOff', message: b.message };
        }
        stopSidecars(actions.stop, this.runs, this.graceMs(r.pod.spec.terminationGracePeriodSeconds ?? 30), opts.log, (name) => this.event('Normal', 'Killing', `Stopping container ${name}`, r.containers[name]));
        for (const name of actions.start) {
          const rec = r.containers[name];
          // A run that ended at once (StartError) is decided about again right away.
          if (rec && !(await this.start(rec))) wakeAtMs = opts.now();
          // A container left waiting (image pull, config error) is tried again at its retry time.
          const retryAt = rec?.current === undefined ? rec?.waiting?.retryAtMs : undefined;
          if (retryAt !== undefined) wakeAtMs = Math.min(wakeAtMs ?? Infinity, retryAt);
        }
        if (actions.done) {
          r.stopped = true;
          await releaseSandbox(this.ctx, r);
        }
        if (actions.wakeAtMs !== undefined) wakeAtMs = Math.min(wakeAtMs ?? Infinity, actions.wakeAtMs);
      }
    } else if (this.synced && r.sandboxError) {
      wakeAtMs = opts.now() + opts.configRetryMs;
    }
    if (wakeAtMs !== undefined && !r.stopped) this.wakeAt(wakeAtMs);
    await this.persist();
    this.notify();
  }

  private wakeAt(atMs: number): void {
    const t = setTimeout(() => void this.exclusive(() => this.reconcile()), Math.max(0, atMs - this.ctx.opts.now()));
    t.unref();
    this.wakeTimer = t;
  }

  /** Pod-level failure (deadline): stop everything; the phase becomes Failed with this reason. */
  private fail(reason: string, message: string): void {
    const r = this.record;
    r.failure = { reason, message };
    r.stopped = true;
    this.event('Normal', reason, message);
    void this.kill(r.pod.spec.terminationGracePeriodSeconds ?? 30);
  }

  /** Start one run of a container and watch it. Returns false when it ended at once (StartError). */
  private async start(rec: ContainerRecord): Promise<boolean> {
    const out = await startRun(this.ctx, this.record, rec, (...e) => this.event(...e));
    if (out.kind !== 'started') return out.kind === 'not-started';
    await this.attach(rec, out.inst, out.child, out.probeEnv);
    await this.postStart(rec, out.inst, out.spec);
    return true;
  }

  /**
   * The postStart hook, right after the start (the kubelet runs it before it goes on with the
   * pod). When it fails: a FailedPostStartHook event and the run is killed; the restart policy
   * decides what comes next.
   */
  private async postStart(rec: ContainerRecord, inst: ContainerInstance, spec: Container): Promise<void> {
    const hook = lifecycleOf(spec).postStart;
    const run = this.runs.get(rec.name);
    if (!hook || !run || run.inst !== inst) return;
    const r = this.record;
    const grace = r.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.ctx.engine.control(inst).whenRunning?.(POST_START_LIMIT_MS);
    // The kubelet gives a postStart hook no timeout of its own; here it is bounded (the pod's queue waits for it).
    const out = await runHook('PostStart', hook, run.target, Math.max(grace * 1000, POST_START_LIMIT_MS), { container: rec.name, pod: `${r.name}_${r.namespace}(${r.uid})` });
    if (out.ok || rec.current !== inst || inst.finishedAt !== undefined) return;
    this.event('Warning', 'FailedPostStartHook', out.output, rec);
    this.event('Normal', 'Killing', `FailedPostStartHook`, rec);
    void run.kill(this.graceMs(grace), this.ctx.opts.log);
  }

  /** Watch a run: its exit, its log growth and its probes. `env` is rebuilt when not given (recovery). */
  private async attach(rec: ContainerRecord, inst: ContainerInstance, child?: RunChild, env?: Record<string, string>): Promise<void> {
    const spec = containerSpec(this.record.pod, rec.name);
    const run = await ContainerRun.attach(await attachArgs(this.ctx, this.record, rec, spec, inst, {
      ...(child ? { child } : {}),
      ...(env ? { env } : {}),
      event: (...e) => this.event(...e),
      hooks: {
        onExit: (run, exit) => this.exclusive(() => this.recordExit(run.name, run.inst, exit, true)),
        onProbe: (run, rep) => void this.exclusive(() => this.onProbe(run, rep)),
      },
    }));
    this.runs.set(rec.name, run);
    if (spec && (!rec.init || isSidecar(spec))) run.startProbes(spec, rec.started);
  }

  private async onProbe(run: ContainerRun, rep: ProbeReport): Promise<void> {
    const r = this.record;
    const rec = r.containers[run.name];
    if (!rec || this.runs.get(run.name) !== run || rec.current !== run.inst || rec.killing || r.stopped) return;
    if (!rep.outcome.ok) this.event('Warning', 'Unhealthy', `${rep.kind} probe failed: ${rep.outcome.output}`, rec);
    if (!rep.changed) return;
    const spec = containerSpec(r.pod, run.name);
    if (rep.kind === 'Readiness') rec.ready = rep.result === true;
    else if (rep.kind === 'Startup' && rep.result === true && spec) {
      rec.started = true;
      run.startProbes(spec, true);
      // A sidecar that started lets the containers after it start: decide again now.
      if (isSidecar(spec)) return this.reconcile();
    } else if (rep.result === false) {
      rec.killing = rep.kind === 'Startup' ? 'startup' : 'liveness';
      const restart = (r.pod.spec.restartPolicy ?? 'Always') !== 'Never' ? ', will be restarted' : '';
      this.event('Normal', 'Killing', `Container ${run.name} failed ${rep.kind.toLowerCase()} probe${restart}`, rec);
      const probe = rep.kind === 'Startup' ? spec?.startupProbe : spec?.livenessProbe;
      void run.kill(this.graceMs(probe?.terminationGracePeriodSeconds ?? r.pod.spec.terminationGracePeriodSeconds ?? 30), this.ctx.opts.log);
    }
    await this.persist();
    this.notify();
  }

  /** Record how a run ended and clean up its group; with `decide`, decide again (inside the queue). */
  private async recordExit(name: string, inst: ContainerInstance, exit: RunExit, decide: boolean): Promise<void> {
    const rec = this.record.containers[name];
    const run = this.runs.get(name);
    if (run && run.inst === inst) {
      run.detach();
      this.runs.delete(name);
    }
    if (!rec || rec.current !== inst || inst.finishedAt !== undefined) return;
    if (!(await recordRunEnd(this.ctx, this.record, rec, inst, exit))) return;
    this.ctx.opts.log.debug({ uid: this.record.uid, container: name, exitCode: exit.exitCode }, 'container exited');
    if (decide) await this.reconcile();
  }

  private graceMs(seconds: number): number {
    return seconds <= 0 ? 0 : Math.max(seconds, this.ctx.opts.minimumGracePeriodSeconds) * 1000;
  }

  private async stop(gracePeriodSeconds?: number): Promise<void> {
    const r = this.record;
    const runs = await this.exclusive(async () => {
      r.stopped = true;
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      for (const rec of Object.values(r.containers)) {
        if (isRunning(rec.current)) {
          rec.killing ??= 'pod';
          this.event('Normal', 'Killing', `Stopping container ${rec.name}`, rec);
        } else if (rec.waiting?.reason === 'CrashLoopBackOff') delete rec.waiting;
      }
      await this.persist();
      this.notify();
      return [...this.runs.values()];
    });
    const grace = gracePeriodSeconds ?? r.pod.metadata.deletionGracePeriodSeconds ?? r.pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(runs.map((run) => run.kill(this.graceMs(grace), this.ctx.opts.log)));
  }
}
