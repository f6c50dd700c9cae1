import type { KObject, LabelSelector, Pod } from '@kjobs/api';
import { CliError } from './errors.js';
import { mapSelectorString, selectorString } from './selectors.js';

/** Whether a pod's Ready condition is True. */
export function isPodReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

const PHASE_RANK: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };

/**
 * kubectl's `podutils.ByLogging` order, used to pick "the first pod" of a Job or ReplicaSet:
 * assigned before unassigned, Running before Unknown before Pending (other phases rank as
 * Running), ready before not ready, more restarts first, older first.
 */
export function compareForLogging(a: Pod, b: Pod): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return na ? -1 : 1;
  const ra = PHASE_RANK[a.status?.phase ?? ''] ?? 0;
  const rb = PHASE_RANK[b.status?.phase ?? ''] ?? 0;
  if (ra !== rb) return ra - rb;
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? -1 : 1;
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Infinity;
  const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Infinity;
  return ta === tb ? 0 : ta < tb ? -1 : 1;
}

/** The pod kubectl would pick among `pods` (undefined when there is none). */
export function firstPod(pods: readonly Pod[]): Pod | undefined {
  return [...pods].sort(compareForLogging)[0];
}

/**
 * The label selector that finds an object's pods: a Job's or ReplicaSet's `spec.selector`, a
 * Service's `spec.selector` map. Throws for kinds that have none.
 */
export function podSelectorOf(obj: KObject): string {
  const spec = (obj.spec ?? {}) as { selector?: LabelSelector | Record<string, string> };
  if (obj.kind === 'Service') {
    const sel = spec.selector as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0) throw new CliError(`service ${obj.metadata.name} has no selector: there are no pods to choose`);
    return mapSelectorString(sel);
  }
  const sel = spec.selector as LabelSelector | undefined;
  if (!sel) throw new CliError(`cannot select pods of ${obj.kind ?? 'object'} ${obj.metadata.name ?? ''}: it has no selector`);
  return selectorString(sel);
}

/** The container `logs` reads when none was named: the default-container annotation, else the only or first one. */
export function defaultContainer(pod: Pod): { name: string; note?: string } {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return { name: annotated };
  if (names.length === 0) throw new CliError(`pod ${pod.metadata.name ?? ''} has no containers`);
  if (names.length === 1) return { name: names[0]! };
  return { name: names[0]!, note: `Defaulted container "${names[0]}" out of: ${names.join(', ')}` };
}
