/// <reference lib="dom" />
/** The dashboard's page drawn from its state: connection, namespaces, Jobs, Pods, Nodes, CronJobs, MemQ queues, Events. */
import type { CronJob, Event, Job, KObject, Node, Pod } from '@kjobs/api';
import { byId, reconcile } from './dom.js';
import { esc } from './format.js';
import { keyOf, nodeAllocations, phaseCounts, podsByJob, recentEvents } from './model.js';
import type { ObjectCache, ReflectorState } from './reflector.js';
import { cronJobRow, eventRow, jobRow, nodeRow, podRow, queueRow, type QueueView } from './views.js';

const MAX_POD_ROWS = 300;
const MAX_EVENT_ROWS = 50;

/** The api-server's MemQ summary (GET <base>/api/memq). */
export interface MemqSummary {
  enabled: boolean;
  windowSeconds: number;
  now: number;
  error?: string;
  queues: QueueView[];
}

/** What the page shows: live copies of five kinds, each reflector's state, MemQ's summary, and the reader's choices. */
export interface DashboardState {
  caches: { jobs: ObjectCache<Job>; pods: ObjectCache<Pod>; cronjobs: ObjectCache<CronJob>; nodes: ObjectCache<Node>; events: ObjectCache<Event> };
  states: Map<string, ReflectorState>;
  memq: MemqSummary | undefined;
  /** The uid of the Job whose pods are shown ('' for all pods of the namespace). */
  selectedJob: string;
  /** '' for all namespaces. */
  namespace: string;
  /** Another tab is live (this one holds no watches). */
  paused: boolean;
}

function byNewest(a: KObject, b: KObject): number {
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || keyOf(a).localeCompare(keyOf(b));
}

/** Pods still pending or running first, then finished ones; by name within each. */
function byActivity(a: Pod, b: Pod): number {
  const finished = (p: Pod) => (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? 1 : 0);
  return finished(a) - finished(b) || keyOf(a).localeCompare(keyOf(b));
}

function setCount(id: string, text: string): void {
  const el = byId(id);
  if (el.textContent !== text) el.textContent = text;
}

function renderConnection({ states, caches, paused }: DashboardState): void {
  const retrying = [...states].filter(([, s]) => s.state === 'retrying');
  const connecting = [...states].filter(([, s]) => s.state === 'connecting');
  const text = paused ? '⏸ Paused (live in another tab)' : retrying.length ? `⚠ Reconnecting (${retrying.map(([n, s]) => `${n}: ${s.state === 'retrying' ? s.error : ''}`).join('; ')})`
    : connecting.length || states.size < Object.keys(caches).length ? '… Connecting' : '● Live';
  setCount('conn', text);
}

function renderNamespaces({ caches, namespace }: DashboardState): void {
  const names = new Set<string>();
  for (const c of [caches.jobs, caches.pods, caches.cronjobs]) for (const o of c.items.values()) if (o.metadata.namespace) names.add(o.metadata.namespace);
  const select = byId<HTMLSelectElement>('ns');
  const want = ['', ...[...names].sort()];
  const have = Array.from(select.options).map((o) => o.value);
  if (want.join('\n') === have.join('\n')) return;
  select.innerHTML = want.map((n) => `<option value="${esc(n)}"${n === namespace ? ' selected' : ''}>${n ? esc(n) : 'All namespaces'}</option>`).join('');
}

/**
 * Draw every panel from `s` (rows reconciled in place), and clear `s.selectedJob` when that Job
 * is gone. Records its own duration in `body[data-render-ms]`.
 */
export function render(s: DashboardState): void {
  const t0 = performance.now();
  const now = Date.now();
  const { caches, memq, namespace } = s;
  const inNamespace = (o: KObject): boolean => !namespace || o.metadata.namespace === namespace;
  renderConnection(s);
  renderNamespaces(s);
  const pods = [...caches.pods.items.values()];
  const grouped = podsByJob(pods);

  const jobs = [...caches.jobs.items.values()].filter(inNamespace).sort(byNewest);
  if (s.selectedJob && !jobs.some((j) => j.metadata.uid === s.selectedJob)) s.selectedJob = '';
  const selectedJob = s.selectedJob;
  reconcile(byId('jobs'), jobs.map((j) => jobRow(j, grouped.get(j.metadata.uid ?? '') ?? [], now, j.metadata.uid === selectedJob)));
  setCount('jobs-count', `(${jobs.length})`);
  byId('jobs-empty').hidden = jobs.length > 0;

  const job = jobs.find((j) => j.metadata.uid === selectedJob);
  const shown = (job ? grouped.get(selectedJob) ?? [] : pods.filter(inNamespace)).sort(byActivity);
  reconcile(byId('pods'), shown.slice(0, MAX_POD_ROWS).map(podRow));
  setCount('pods-scope', job ? `of Job ${keyOf(job)}` : namespace ? `in ${namespace}` : 'in all namespaces');
  byId('pods-all').hidden = !job;
  setCount('pods-summary', `${shown.length} ${shown.length === 1 ? 'pod' : 'pods'}${shown.length ? ': ' : ''}${phaseCounts(shown).map(([p, n]) => `${n} ${p}`).join(', ')}`);
  setCount('pods-more', shown.length > MAX_POD_ROWS ? `Showing the first ${MAX_POD_ROWS} of ${shown.length} pods; choose a Job or a namespace to narrow the list.` : '');

  const allocations = nodeAllocations(caches.nodes.items.values(), pods);
  reconcile(byId('nodes'), [...allocations].sort(([a], [b]) => a.localeCompare(b)).map(([name, a]) => nodeRow(name, a)));
  setCount('nodes-count', `(${allocations.size})`);

  const cronjobs = [...caches.cronjobs.items.values()].filter(inNamespace).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  reconcile(byId('cronjobs'), cronjobs.map((c) => cronJobRow(c, now)));
  setCount('cronjobs-count', `(${cronjobs.length})`);
  byId('cronjobs-empty').hidden = cronjobs.length > 0;

  if (memq) {
    const windowMs = memq.windowSeconds * 1000;
    reconcile(byId('queues'), memq.queues.map((q) => queueRow(q, memq.now, windowMs)));
    byId('queues-empty').hidden = memq.queues.length > 0;
    setCount('memq-error', memq.error ? `⚠ ${memq.error}` : '');
  }

  const events = recentEvents([...caches.events.items.values()].filter(inNamespace), MAX_EVENT_ROWS);
  reconcile(byId('events'), events.map((e) => eventRow(e, now)));
  byId('events-empty').hidden = events.length > 0;

  document.body.dataset.renderMs = (performance.now() - t0).toFixed(1);
}
