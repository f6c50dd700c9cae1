/**
 * Facts about one pod as the Job controller sees it (Kubernetes controller_utils.go and
 * job_controller.go helpers). Every function is pure and reads only the objects it is given.
 */
import type { Job, Pod } from '@kjobs/api';
import { JOB_TRACKING_FINALIZER } from './constants.js';

/** Milliseconds since the epoch of an RFC 3339 time, or 0 for a missing / unparseable one. */
export function timeMs(t: string | null | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** True when the pod is in a terminal phase (Succeeded or Failed). */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Active = not terminal and not being deleted (controller.FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** Terminating = has a deletionTimestamp and is not yet terminal (controller.CountTerminatingPods). */
export function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp && !isPodTerminal(pod);
}

/** True when the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** True when the pod still carries `batch.kubernetes.io/job-tracking` (it is not counted yet). */
export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/**
 * True when only pods that reached phase Failed are replaced: `podReplacementPolicy: Failed`, which
 * a podFailurePolicy forces.
 */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;
}

/**
 * `isPodFailed`: phase Failed, or — unless only failed pods are replaced — being deleted without
 * having succeeded (an orphan or evicted pod may never reach phase Failed).
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/**
 * When the pod finished, for the recreation backoff (backoff_utils.go getFinishedTime), in order:
 * 1. the latest `finishedAt` when every container has terminated;
 * 2. the Ready=False condition's lastTransitionTime;
 * 3. deletionTimestamp minus deletionGracePeriodSeconds;
 * 4. creationTimestamp.
 */
export function podFinishedTimeMs(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  let latest: number | null = null;
  for (const cs of statuses) {
    const finished = timeMs(cs.state?.terminated?.finishedAt);
    if (!cs.state?.terminated || finished === 0) {
      latest = null;
      break;
    }
    if (latest === null || finished > latest) latest = finished;
  }
  if (latest !== null && statuses.length > 0) return latest;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  if (ready && ready.status === 'False' && timeMs(ready.lastTransitionTime) !== 0) return timeMs(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) {
    return timeMs(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  }
  return timeMs(pod.metadata.creationTimestamp);
}

/** Sum of restartCount over init and app containers (used by the OnFailure backoff rule). */
export function podRestartCount(pod: Pod): number {
  let n = 0;
  for (const cs of pod.status?.initContainerStatuses ?? []) n += cs.restartCount ?? 0;
  for (const cs of pod.status?.containerStatuses ?? []) n += cs.restartCount ?? 0;
  return n;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function maxContainerRestarts(pod: Pod): number {
  let m = 0;
  for (const cs of pod.status?.containerStatuses ?? []) m = Math.max(m, cs.restartCount ?? 0);
  return m;
}

function readySinceMs(pod: Pod): number {
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'Ready' && x.status === 'True');
  return timeMs(c?.lastTransitionTime);
}

/** afterOrZero: a zero time sorts first, then the later time first. */
function afterOrZero(a: number, b: number): boolean {
  if (a === 0 || b === 0) return a === 0;
  return a > b;
}

/**
 * Kubernetes `controller.ActivePods` order, least advanced first — the order in which surplus pods
 * are deleted: unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; ready for
 * less time < more; more restarts < fewer; newer < older. Returns <0 when `a` goes first.
 */
export function compareActivePods(a: Pod, b: Pod): number {
  const na = a.spec.nodeName ?? '';
  const nb = b.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDINAL[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  if (ra && rb) {
    const ta = readySinceMs(a);
    const tb = readySinceMs(b);
    if (ta !== tb) return afterOrZero(ta, tb) ? -1 : 1;
  }
  const ca = maxContainerRestarts(a);
  const cb = maxContainerRestarts(b);
  if (ca !== cb) return ca > cb ? -1 : 1;
  const cta = timeMs(a.metadata.creationTimestamp);
  const ctb = timeMs(b.metadata.creationTimestamp);
  if (cta !== ctb) return afterOrZero(cta, ctb) ? -1 : 1;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
