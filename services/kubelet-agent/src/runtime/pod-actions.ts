import type { Container, Pod } from '@kjobs/api';
import { type BackoffOptions, crashLoopMessage, isInBackOffSince } from './backoff.js';
import { type ContainerRecord, type PodRecord, isRunning } from './state.js';

/** What the runtime must do for a pod now (the kubelet's computePodActions, for processes). */
export interface PodActions {
  /** Containers to start (or restart) now, in order. */
  start: string[];
  /** Containers that must wait out their crash-loop backoff. */
  backoff: { name: string; message: string; untilMs: number }[];
  /** Sidecars to stop now: every main container has finished for good (Kubernetes 1.29+). */
  stop: string[];
  /** The pod outlived spec.activeDeadlineSeconds: kill it, it fails with DeadlineExceeded. */
  deadlineExceeded: boolean;
  /** Nothing runs and nothing will be started again: the pod reached its terminal phase. */
  done: boolean;
  /** When to decide again even if nothing happens (backoff end, deadline, config retry). */
  wakeAtMs?: number;
}

/** Pod deadline from spec.activeDeadlineSeconds and status.startTime; undefined without one. */
export function podDeadlineMs(record: Pick<PodRecord, 'pod' | 'startTime'>): number | undefined {
  const ads = record.pod.spec.activeDeadlineSeconds;
  if (ads === undefined || ads === null) return undefined;
  return Date.parse(record.startTime) + ads * 1000;
}

/** True when a finished run with this exit code is restarted under the policy. */
export function shouldRestart(policy: Pod['spec']['restartPolicy'], exitCode: number, init: boolean): boolean {
  const p = policy ?? 'Always';
  // Init containers restart on failure under Always and OnFailure, never after success.
  if (init) return p !== 'Never' && exitCode !== 0;
  return p === 'Always' || (p === 'OnFailure' && exitCode !== 0);
}

/** A sidecar: an init container with `restartPolicy: Always` (Kubernetes 1.29+). */
export function isSidecar(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

/**
 * Have all main (regular) containers finished for good? Each ran, exited, and the pod's
 * restartPolicy will not start it again. Never true under restartPolicy Always.
 */
export function mainContainersDone(record: PodRecord): boolean {
  const policy = record.pod.spec.restartPolicy;
  return record.pod.spec.containers.every((spec) => {
    const cur = record.containers[spec.name]?.current;
    return cur !== undefined && !isRunning(cur) && !shouldRestart(policy, cur.exitCode ?? 0, false);
  });
}

/**
 * Decide the pod's next steps (pure). Does:
 * 1. nothing once the pod is stopped;
 * 2. deadline: past spec.activeDeadlineSeconds → deadlineExceeded;
 * 3. init containers one at a time, in order: start the first unfinished one, restart a failed
 *    one per restartPolicy (Never: the pod is done, it fails); a sidecar (restartPolicy Always)
 *    lets the next one start once it has started, and is restarted whenever it exits — until the
 *    main containers have finished for good: then running sidecars are stopped and not restarted;
 * 4. then every regular container: start it, or restart it per restartPolicy once its crash-loop
 *    backoff has passed;
 * 5. done when nothing runs and nothing is left to start.
 * Containers waiting on a config error are retried at `waiting.retryAtMs`.
 */
export function computePodActions(record: PodRecord, nowMs: number, opts: BackoffOptions): PodActions {
  const actions: PodActions = { start: [], backoff: [], stop: [], deadlineExceeded: false, done: false };
  const wake = (ms: number) => {
    if (actions.wakeAtMs === undefined || ms < actions.wakeAtMs) actions.wakeAtMs = ms;
  };
  const all = Object.values(record.containers);
  if (record.stopped) {
    actions.done = !all.some((c) => isRunning(c.current));
    return actions;
  }
  const deadline = podDeadlineMs(record);
  if (deadline !== undefined) {
    if (nowMs >= deadline) return { ...actions, deadlineExceeded: true };
    wake(deadline);
  }
  const { pod } = record;
  const policy = pod.spec.restartPolicy;
  const mainDone = mainContainersDone(record);
  const step = (c: ContainerRecord, init: boolean, sidecar = false): 'wait' | 'next' | 'failed' => {
    const cur = c.current;
    // A sidecar that ran before does not hold back the containers after it while it restarts.
    const after = sidecar && (c.restartCount > 0 || c.previous !== undefined) ? 'next' : 'wait';
    if (!cur) {
      const retryAt = c.waiting?.retryAtMs;
      if (retryAt !== undefined && retryAt > nowMs) wake(retryAt);
      else actions.start.push(c.name);
      return after;
    }
    if (isRunning(cur)) {
      if (!sidecar) return 'wait';
      if (mainDone) actions.stop.push(c.name);
      return c.started ? 'next' : 'wait';
    }
    const exitCode = cur.exitCode ?? 0;
    if (sidecar && mainDone) return 'next';
    if (init && exitCode === 0 && !sidecar) return 'next';
    if (!sidecar && !shouldRestart(policy, exitCode, init)) return init ? 'failed' : 'next';
    const finishedMs = Date.parse(cur.finishedAt ?? '') || nowMs;
    if (isInBackOffSince(c.backoff, finishedMs, nowMs, opts) && c.backoff) {
      const untilMs = finishedMs + c.backoff.backoffMs;
      actions.backoff.push({ name: c.name, untilMs, message: crashLoopMessage(c.backoff.backoffMs, c.name, record.name, record.namespace, record.uid) });
      wake(untilMs);
    } else {
      actions.start.push(c.name);
    }
    return sidecar ? 'next' : 'wait';
  };
  for (const spec of pod.spec.initContainers ?? []) {
    const c = record.containers[spec.name];
    if (!c) continue;
    const r = step(c, true, isSidecar(spec));
    if (r === 'failed') return { start: [], backoff: [], stop: [], deadlineExceeded: false, done: true };
    if (r === 'wait') return finish(actions, all);
  }
  for (const spec of pod.spec.containers) {
    const c = record.containers[spec.name];
    if (c) step(c, false);
  }
  return finish(actions, all);
}

function finish(actions: PodActions, all: ContainerRecord[]): PodActions {
  const waitingRetry = all.some((c) => !c.current && c.waiting?.retryAtMs !== undefined);
  actions.done = actions.start.length === 0 && actions.backoff.length === 0 && !waitingRetry && !all.some((c) => isRunning(c.current));
  if (actions.done) delete actions.wakeAtMs;
  return actions;
}
