/**
 * An in-memory stand-in for the API server and kubelet as far as one Job is concerned, implementing
 * {@link JobControl} with the rules the real server enforces (resourceVersion CAS on status,
 * graceful deletion held by finalizers, Job status validation) plus a way to kill the controller
 * after its n-th write. Test support only.
 */
import { ApiError, type Job, type KObject, type Pod } from '@kjobs/api';
import { rfc3339 } from './conditions.js';
import type { BackoffRecord } from './backoff.js';
import type { JobControl } from './ports.js';
import { isPodTerminal } from './pod-facts.js';
import { syncJob, type SyncJobResult } from './sync-job.js';

/** Thrown by every write once the simulated controller has died. */
export class ControllerCrashed extends Error {
  constructor() {
    super('controller crashed');
  }
}

/** A recorded event. */
export interface FakeEvent {
  type: string;
  reason: string;
  message: string;
}

/** One Job, its pods, a kubelet that does what tests tell it, and a controller that can die. */
export class FakeJobCluster implements JobControl {
  job: Job;
  readonly pods = new Map<string, Pod>();
  readonly events: FakeEvent[] = [];
  /** Every pod ever created, by name (never removed). */
  readonly created: string[] = [];
  now: Date;
  /** The controller dies when it attempts write number `crashAfter + 1`. */
  crashAfter: number | undefined;
  writes = 0;
  crashed = false;
  /** Fail (with 500) creations while true. */
  failCreates = false;
  backoff = new Map<string, BackoffRecord>();
  /** Highest number of non-terminal, non-deleted pods ever seen after a write. */
  maxActive = 0;
  /** The terminal phase each pod reached (kept after the pod is removed). */
  readonly outcomes = new Map<string, 'Succeeded' | 'Failed'>();
  private seq = 0;
  private rv = 1;

  constructor(job: Job, now: Date) {
    this.job = structuredClone(job);
    this.now = now;
  }

  /** The informer's view: deep copies of the pods. */
  podList(): Pod[] {
    return [...this.pods.values()].map((p) => structuredClone(p));
  }

  /** Run one controller sync against the current state. Errors (incl. a crash) are returned, not thrown. */
  async sync(): Promise<{ result?: SyncJobResult; error?: unknown }> {
    try {
      return { result: await syncJob(structuredClone(this.job), this.podList(), this.now, this, { backoff: this.backoff }) };
    } catch (error) {
      return { error };
    }
  }

  /** Bring the controller back after a crash: all in-memory state is lost. */
  restartController(): void {
    this.crashed = false;
    this.crashAfter = undefined;
    this.backoff = new Map();
  }

  private write(): void {
    if (this.crashed) throw new ControllerCrashed();
    if (this.crashAfter !== undefined && this.writes >= this.crashAfter) {
      this.crashed = true;
      throw new ControllerCrashed();
    }
    this.writes++;
  }

  private trackActive(): void {
    const n = [...this.pods.values()].filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp).length;
    this.maxActive = Math.max(this.maxActive, n);
  }

  async createPod(ns: string, pod: Pod): Promise<Pod> {
    this.write();
    if (this.failCreates) throw new ApiError(500, 'InternalError', 'injected create failure');
    const name = `${pod.metadata.generateName ?? 'pod-'}${String(++this.seq).padStart(5, '0')}`;
    const p: Pod = structuredClone(pod);
    p.metadata = { ...p.metadata, name, namespace: ns, uid: `uid-${name}`, creationTimestamp: rfc3339(this.now), resourceVersion: String(++this.rv) };
    delete p.metadata.generateName;
    p.status = { phase: 'Pending' };
    this.pods.set(name, p);
    this.created.push(name);
    this.trackActive();
    return structuredClone(p);
  }

  async deletePod(_ns: string, name: string, opts?: { uid?: string }): Promise<void> {
    this.write();
    const p = this.pods.get(name);
    if (!p) throw new ApiError(404, 'NotFound', `pods "${name}" not found`);
    if (opts?.uid && opts.uid !== p.metadata.uid) throw new ApiError(409, 'Conflict', 'uid precondition failed');
    if (!p.metadata.deletionTimestamp) {
      p.metadata.deletionTimestamp = rfc3339(this.now);
      p.metadata.deletionGracePeriodSeconds = 30;
    }
    this.reap(p);
  }

  async patchPod(_ns: string, name: string, patch: unknown): Promise<void> {
    this.write();
    const p = this.pods.get(name);
    if (!p) throw new ApiError(404, 'NotFound', `pods "${name}" not found`);
    const fin = (patch as { metadata?: { finalizers?: string[] } }).metadata?.finalizers;
    if (fin) p.metadata.finalizers = [...fin];
    this.reap(p);
  }

  async updateJobStatus(job: Job): Promise<Job> {
    this.write();
    if (job.metadata.resourceVersion !== this.job.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', 'the object has been modified');
    }
    validateJobStatusUpdate(this.job, job);
    this.job = { ...this.job, status: structuredClone(job.status ?? {}) };
    this.job.metadata = { ...this.job.metadata, resourceVersion: String(++this.rv) };
    return structuredClone(this.job);
  }

  recordEvent(_obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (!this.crashed) this.events.push({ type, reason, message });
  }

  /** Remove a deleted pod once nothing holds it: no finalizer and terminal or never scheduled. */
  private reap(p: Pod): void {
    const name = p.metadata.name ?? '';
    if (!p.metadata.deletionTimestamp || (p.metadata.finalizers ?? []).length > 0) return;
    if (isPodTerminal(p) || !p.spec.nodeName) this.pods.delete(name);
  }

  // ---- kubelet ----

  /** Schedule and start every Pending pod (Running and Ready). */
  startPending(): void {
    for (const p of this.pods.values()) {
      if (p.status?.phase !== 'Pending' || p.metadata.deletionTimestamp) continue;
      p.spec.nodeName = 'node-1';
      p.status = {
        phase: 'Running',
        startTime: rfc3339(this.now),
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(this.now) }],
        containerStatuses: [{ name: 'main', image: 'x', imageID: '', ready: true, restartCount: 0, lastState: {}, state: { running: { startedAt: rfc3339(this.now) } } }],
      };
    }
  }

  /** Terminate a running pod with the exit code (0 = Succeeded). */
  finish(name: string, exitCode = 0): void {
    const p = this.pods.get(name);
    if (!p || isPodTerminal(p)) return;
    p.status = {
      ...p.status,
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(this.now) }],
      containerStatuses: [
        { name: 'main', image: 'x', imageID: '', ready: false, restartCount: 0, lastState: {}, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: rfc3339(this.now) } } },
      ],
    };
    this.outcomes.set(name, exitCode === 0 ? 'Succeeded' : 'Failed');
    this.reap(p);
  }

  /** Finish every running, non-deleted pod with the exit code. */
  finishRunning(exitCode = 0): string[] {
    const names = [...this.pods.values()].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).map((p) => p.metadata.name ?? '');
    for (const n of names) this.finish(n, exitCode);
    return names;
  }

  /** Kill pods being deleted (SIGTERM → exit 143), then drop those no finalizer holds. */
  killTerminating(): void {
    for (const p of [...this.pods.values()]) {
      if (!p.metadata.deletionTimestamp) continue;
      if (!isPodTerminal(p)) {
        if (p.spec.nodeName) this.finish(p.metadata.name ?? '', 143);
        else {
          p.status = { ...p.status, phase: 'Failed' };
          this.outcomes.set(p.metadata.name ?? '', 'Failed');
        }
      }
      this.reap(p);
    }
  }

  /** Pods not terminal and not being deleted. */
  activePods(): Pod[] {
    return [...this.pods.values()].filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp);
  }

  /** Advance the clock. */
  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** The condition of that type in the stored Job. */
  condition(type: string) {
    return this.job.status?.conditions?.find((c) => c.type === type);
  }

  /** How many pods ended in that phase. */
  count(phase: 'Succeeded' | 'Failed'): number {
    return [...this.outcomes.values()].filter((o) => o === phase).length;
  }

  /** True once the stored Job is Complete or Failed. */
  finished(): boolean {
    return ['Complete', 'Failed'].some((t) => this.condition(t)?.status === 'True');
  }
}

/** The Job /status rules of the API server (validation.go) that the counting scheme must respect. */
export function validateJobStatusUpdate(old: Job, next: Job): void {
  const o = old.status ?? {};
  const n = next.status ?? {};
  const fail = (msg: string) => {
    throw new ApiError(422, 'Invalid', `Job.batch "${next.metadata.name}" is invalid: ${msg}`);
  };
  if ((n.succeeded ?? 0) < (o.succeeded ?? 0)) fail('status.succeeded: cannot decrease');
  if ((n.failed ?? 0) < (o.failed ?? 0)) fail('status.failed: cannot decrease');
  if ((n.ready ?? 0) > (n.active ?? 0)) fail('status.ready: cannot set more ready pods than active');
  const is = (t: string) => n.conditions?.some((c) => c.type === t && c.status === 'True') ?? false;
  if (is('Complete') && is('Failed')) fail('Complete and Failed both True');
  if (is('Complete') && is('FailureTarget')) fail('Complete and FailureTarget both True');
  if (is('SuccessCriteriaMet') && (is('Failed') || is('FailureTarget'))) fail('SuccessCriteriaMet with a failure condition');
  if (is('Complete') || is('Failed')) {
    const unc = (n.uncountedTerminatedPods?.succeeded?.length ?? 0) + (n.uncountedTerminatedPods?.failed?.length ?? 0);
    if ((n.active ?? 0) !== 0 || (n.terminating ?? 0) !== 0 || unc !== 0 || !n.startTime) fail('a finished job must have no active, terminating or uncounted pods and a startTime');
  }
  if (is('Complete') !== !!n.completionTime) fail('completionTime is set exactly when Complete');
  for (const t of ['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget']) {
    const wasTrue = o.conditions?.some((c) => c.type === t && c.status === 'True');
    if (wasTrue && !is(t)) fail(`condition ${t} cannot be turned off`);
  }
}
