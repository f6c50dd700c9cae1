/**
 * What the dashboard shows, derived from API objects: Job status and progress, a Pod's status
 * as kubectl words it, pods per Job, what is allocated on each Node, CronJob runs, recent Events.
 * Pure functions of (objects, now); run in the browser and in tests.
 */
import type { CronJob, Event, Job, Node, Pod } from '@kjobs/api';
import { nextRun } from './cron.js';
import { cpuMillis, humanDuration, memoryBytes } from './format.js';

/** `namespace/name` (or `name` for cluster-scoped objects): @kjobs/api's object key. */
export { objectKey as keyOf } from '@kjobs/api';

function conditionTrue(conditions: { type: string; status: string }[] | undefined, type: string): boolean {
  return (conditions ?? []).find((c) => c.type === type)?.status === 'True';
}

/** A status word with a symbol, so it reads without colour; `tone` only picks the colour. */
export interface Status {
  text: string;
  symbol: string;
  tone: 'ok' | 'bad' | 'busy' | 'idle';
}

/** The Job's STATUS as kubectl 1.32 shows it (Complete, Failed, Terminating, Suspended, FailureTarget, SuccessCriteriaMet, Running). */
export function jobStatus(job: Job): Status {
  const c = job.status?.conditions;
  if (conditionTrue(c, 'Complete')) return { text: 'Complete', symbol: '✔', tone: 'ok' };
  if (conditionTrue(c, 'Failed')) return { text: 'Failed', symbol: '✖', tone: 'bad' };
  if (job.metadata.deletionTimestamp) return { text: 'Terminating', symbol: '…', tone: 'idle' };
  if (conditionTrue(c, 'Suspended')) return { text: 'Suspended', symbol: '⏸', tone: 'idle' };
  if (conditionTrue(c, 'FailureTarget')) return { text: 'FailureTarget', symbol: '✖', tone: 'bad' };
  if (conditionTrue(c, 'SuccessCriteriaMet')) return { text: 'SuccessCriteriaMet', symbol: '✔', tone: 'ok' };
  return { text: 'Running', symbol: '▶', tone: 'busy' };
}

/** Progress of a Job: `max` is spec.completions, or null for a work-queue Job. */
export interface JobProgress {
  succeeded: number;
  failed: number;
  active: number;
  ready: number;
  max: number | null;
  /** "7/10", or "3 succeeded" for a work queue. */
  text: string;
}

export function jobProgress(job: Job): JobProgress {
  const s = job.status ?? {};
  const succeeded = s.succeeded ?? 0;
  const completions = job.spec.completions;
  const max = completions === undefined || completions === null ? null : completions;
  return {
    succeeded, failed: s.failed ?? 0, active: s.active ?? 0, ready: s.ready ?? 0, max,
    text: max === null ? `${succeeded} succeeded` : `${succeeded}/${max}`,
  };
}

/** DURATION as kubectl shows it: start to completion, or to now while running; "" before the start. */
export function jobDuration(job: Job, now: number): string {
  const start = Date.parse(job.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(job.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

/** The Job's true conditions as "Type: Reason — message" lines. */
export function jobConditions(job: Job): string[] {
  return (job.status?.conditions ?? [])
    .filter((c) => c.status === 'True')
    .map((c) => `${c.type}${c.reason ? `: ${c.reason}` : ''}${c.message ? ` — ${c.message}` : ''}`);
}

/** The Job a Pod belongs to: its controller owner of kind Job, by uid. */
export function ownerJobUid(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.kind === 'Job' && r.controller)?.uid;
}

/** Pods grouped by the uid of their Job (pods without one under ""). */
export function podsByJob(pods: Iterable<Pod>): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const uid = ownerJobUid(p) ?? '';
    let list = out.get(uid);
    if (!list) out.set(uid, (list = []));
    list.push(p);
  }
  return out;
}

/** A Pod's STATUS as `kubectl get pods` shows it (printers.go printPod, the common cases). */
export function podStatus(pod: Pod): Status {
  const phase = pod.status?.phase ?? 'Pending';
  let reason = pod.status?.reason || phase;
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated) reason = cs.state.terminated.reason || (cs.state.terminated.signal ? `Signal:${cs.state.terminated.signal}` : `ExitCode:${cs.state.terminated.exitCode}`);
  }
  if (pod.metadata.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const tone = phase === 'Succeeded' ? 'ok' : phase === 'Failed' || /BackOff|Err|Error|OOM/.test(reason) ? 'bad' : phase === 'Running' ? 'busy' : 'idle';
  const symbol = tone === 'ok' ? '✔' : tone === 'bad' ? '✖' : tone === 'busy' ? '▶' : '…';
  return { text: reason, symbol, tone };
}

/** Container restarts summed over the Pod. */
export function podRestarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, cs) => n + (cs.restartCount ?? 0), 0);
}

/** Count of pods per phase, in a fixed order. */
export function phaseCounts(pods: Pod[]): [string, number][] {
  const order = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
  const counts = new Map<string, number>();
  for (const p of pods) counts.set(p.status?.phase ?? 'Pending', (counts.get(p.status?.phase ?? 'Pending') ?? 0) + 1);
  return order.filter((ph) => counts.has(ph)).map((ph) => [ph, counts.get(ph)!]);
}

/** Requests of the pods bound to a Node against what it can allocate. */
export interface NodeAllocation {
  ready: Status;
  pods: number;
  maxPods: number;
  cpu: number;
  maxCpu: number;
  memory: number;
  maxMemory: number;
}

function isTerminal(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** Sum the requests of the non-terminal pods bound to each node. */
export function nodeAllocations(nodes: Iterable<Node>, pods: Iterable<Pod>): Map<string, NodeAllocation> {
  const out = new Map<string, NodeAllocation>();
  for (const n of nodes) {
    const a = n.status?.allocatable ?? n.status?.capacity ?? {};
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    const readyStatus: Status = ready?.status === 'True' ? { text: 'Ready', symbol: '✔', tone: 'ok' }
      : { text: ready?.status === 'False' ? 'NotReady' : 'Unknown', symbol: '✖', tone: 'bad' };
    if (n.spec?.unschedulable) readyStatus.text += ',SchedulingDisabled';
    out.set(n.metadata.name ?? '', {
      ready: readyStatus, pods: 0, maxPods: Number(a.pods ?? 0), cpu: 0, maxCpu: cpuMillis(a.cpu), memory: 0, maxMemory: memoryBytes(a.memory),
    });
  }
  for (const p of pods) {
    const alloc = p.spec.nodeName ? out.get(p.spec.nodeName) : undefined;
    if (!alloc || isTerminal(p)) continue;
    alloc.pods++;
    for (const c of p.spec.containers ?? []) {
      alloc.cpu += cpuMillis(c.resources?.requests?.cpu);
      alloc.memory += memoryBytes(c.resources?.requests?.memory);
    }
  }
  return out;
}

/** A CronJob's schedule and runs. */
export interface CronJobRuns {
  schedule: string;
  suspended: boolean;
  active: number;
  lastSchedule?: string;
  lastSuccessful?: string;
  /** The next run (ms), null when suspended or the schedule has none. */
  next: number | null;
}

export function cronJobRuns(cj: CronJob, now: number): CronJobRuns {
  const suspended = cj.spec.suspend === true;
  const since = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
  return {
    schedule: cj.spec.schedule + (cj.spec.timeZone ? ` (${cj.spec.timeZone})` : ''),
    suspended,
    active: cj.status?.active?.length ?? 0,
    lastSchedule: cj.status?.lastScheduleTime,
    lastSuccessful: cj.status?.lastSuccessfulTime,
    next: suspended ? null : nextRun(cj.spec.schedule, cj.spec.timeZone, now, Number.isNaN(since) ? undefined : since),
  };
}

/** When an Event last happened (lastTimestamp, eventTime, or creation), ms. */
export function eventTime(e: Event): number {
  const t = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** The newest `limit` events, newest first (within a second, the later write first). */
export function recentEvents(events: Iterable<Event>, limit: number): Event[] {
  const rv = (e: Event) => Number(e.metadata.resourceVersion ?? 0);
  return [...events].sort((a, b) => eventTime(b) - eventTime(a) || rv(b) - rv(a)).slice(0, limit);
}
