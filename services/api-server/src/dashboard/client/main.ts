/// <reference lib="dom" />
/**
 * The dashboard's client. does: 1. find a session (the token kept in sessionStorage, or none if
 * the server allows anonymous reads), else show the sign-in form; 2. keep live copies of Jobs,
 * Pods, CronJobs, Nodes and Events with list + watch; 3. poll the api-server's MemQ summary when
 * it has one; 4. render changed rows at most ten times a second, and once a second for clocks.
 */
import type { CronJob, Event, Job, KObject, Node, Pod } from '@kjobs/api';
import { byId, reconcile } from './dom.js';
import { esc } from './format.js';
import { keyOf, nodeAllocations, phaseCounts, podsByJob, recentEvents } from './model.js';
import { HttpError, ObjectCache, runReflector, type ReflectorState } from './reflector.js';
import { fetchTransport } from './transport.js';
import { cronJobRow, eventRow, jobRow, nodeRow, podRow, queueRow, type QueueView } from './views.js';

const TOKEN_KEY = 'kjobs.dashboard.token';
const MAX_POD_ROWS = 300;
const MAX_EVENT_ROWS = 50;
const base = document.body.dataset.base ?? '/dashboard';

interface Session {
  user: string;
  memq: boolean;
  /** memq's address (KJOBS_MEMQ_URL), when the api-server polls one. */
  memqUrl?: string;
}

interface MemqSummary {
  enabled: boolean;
  windowSeconds: number;
  now: number;
  error?: string;
  queues: QueueView[];
}

const caches = {
  jobs: new ObjectCache<Job>(),
  pods: new ObjectCache<Pod>(),
  cronjobs: new ObjectCache<CronJob>(),
  nodes: new ObjectCache<Node>(),
  events: new ObjectCache<Event>(),
};
const PATHS: Record<keyof typeof caches, string> = {
  jobs: '/apis/batch/v1/jobs', pods: '/api/v1/pods', cronjobs: '/apis/batch/v1/cronjobs', nodes: '/api/v1/nodes', events: '/api/v1/events',
};
const states = new Map<string, ReflectorState>();
let memq: MemqSummary | undefined;
let selectedJob = '';
let namespace = '';
let stop = new AbortController();
let current: { session: Session; token: string | undefined } | undefined;
let paused = false;
const LIVE_LOCK = 'kjobs-dashboard-live';

async function getSession(token: string | undefined): Promise<Session> {
  return fetchTransport(token).getJson<Session>(`${base}/api/session`, new AbortController().signal);
}

function showLogin(message: string): void {
  byId('dash').hidden = true;
  byId('paused').hidden = true;
  byId('logout').hidden = true;
  byId('who').textContent = '';
  byId('conn').textContent = 'Signed out';
  byId('login').hidden = false;
  byId('login-error').textContent = message;
  byId<HTMLInputElement>('token').focus();
}

async function boot(): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  try {
    start(await getSession(token), token);
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(token ? 'The saved token was refused; sign in again.' : '');
    } else {
      showLogin(`The api-server did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

byId('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = byId<HTMLInputElement>('token');
  const token = input.value.trim();
  try {
    const session = await getSession(token);
    sessionStorage.setItem(TOKEN_KEY, token);
    input.value = '';
    start(session, token);
  } catch (e) {
    byId('login-error').textContent = e instanceof HttpError && e.status === 401 ? 'That token was refused (401 Unauthorized).' : `Sign-in failed: ${String(e)}`;
  }
});

byId('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  current = undefined;
  stop.abort();
  setPaused(false);
  showLogin('Signed out.');
});

byId('take-over').addEventListener('click', () => restart(true));

byId('ns').addEventListener('change', (ev) => {
  namespace = (ev.target as HTMLSelectElement).value;
  scheduleRender();
});

document.addEventListener('click', (ev) => {
  const target = (ev.target as HTMLElement).closest<HTMLElement>('[data-select]');
  if (!target) return;
  selectedJob = selectedJob === target.dataset.select ? '' : (target.dataset.select ?? '');
  scheduleRender();
});

function start(session: Session, token: string | undefined): void {
  current = { session, token };
  byId('login').hidden = true;
  byId('dash').hidden = false;
  byId('logout').hidden = token === undefined;
  byId('who').textContent = `Signed in as ${session.user}`;
  byId('memq-panel').hidden = !session.memq;
  byId('memq-url').textContent = session.memqUrl ? `at ${session.memqUrl}` : '';
  restart(false);
}

/** Stop what runs and go live again: at once without Web Locks, else when this tab holds the lock. */
function restart(steal: boolean): void {
  stop.abort();
  stop = new AbortController();
  states.clear();
  if (!current) return;
  if (navigator.locks) void holdLiveLock(current, stop.signal, steal);
  else run(current, stop.signal);
}

/**
 * Only one tab per browser streams at a time: each live tab holds five watch connections and
 * browsers allow six per server over HTTP/1.1, so a second live tab would stall. The lock passes
 * to a waiting tab when the live one closes or signs out; "Use this tab" takes it over, and the
 * tab that lost it waits for it again.
 */
async function holdLiveLock(c: { session: Session; token: string | undefined }, signal: AbortSignal, steal: boolean): Promise<void> {
  const held = (await navigator.locks.query()).held?.some((l) => l.name === LIVE_LOCK) ?? false;
  setPaused(held && !steal);
  try {
    await navigator.locks.request(LIVE_LOCK, steal ? { steal: true } : { signal }, async () => {
      setPaused(false);
      run(c, signal);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    });
  } catch {
    if (signal.aborted) return; // our own restart or sign-out
    restart(false); // another tab took over: wait for the lock again
  }
}

function setPaused(on: boolean): void {
  paused = on;
  byId('paused').hidden = !on;
  scheduleRender();
}

/** Start the reflectors, the MemQ poll and the clock, until the signal aborts. */
function run(c: { session: Session; token: string | undefined }, signal: AbortSignal): void {
  const transport = fetchTransport(c.token);
  const fatal = () => {
    stop.abort();
    current = undefined;
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('The api-server refused the token (401); sign in again.');
  };
  for (const [name, cache] of Object.entries(caches) as [keyof typeof caches, ObjectCache<KObject>][]) {
    void runReflector({
      path: PATHS[name], cache, transport, signal, onChange: scheduleRender, onFatal: fatal,
      onState: (s) => {
        if (signal.aborted) return;
        states.set(name, s);
        scheduleRender();
      },
    });
  }
  if (c.session.memq) void pollMemq(transport, signal);
  const tick = setInterval(() => (signal.aborted ? clearInterval(tick) : scheduleRender()), 1000);
}

async function pollMemq(transport: ReturnType<typeof fetchTransport>, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      memq = await transport.getJson<MemqSummary>(`${base}/api/memq`, signal);
      scheduleRender();
    } catch (e) {
      if (signal.aborted) return;
      memq = { enabled: true, windowSeconds: 600, now: Date.now(), queues: memq?.queues ?? [], error: e instanceof Error ? e.message : String(e) };
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

let pending = false;
function scheduleRender(): void {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    pending = false;
    render();
  }, 100);
}

function inNamespace(o: KObject): boolean {
  return !namespace || o.metadata.namespace === namespace;
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

function renderConnection(): void {
  const retrying = [...states].filter(([, s]) => s.state === 'retrying');
  const connecting = [...states].filter(([, s]) => s.state === 'connecting');
  const text = paused ? '⏸ Paused (live in another tab)' : retrying.length ? `⚠ Reconnecting (${retrying.map(([n, s]) => `${n}: ${s.state === 'retrying' ? s.error : ''}`).join('; ')})`
    : connecting.length || states.size < Object.keys(caches).length ? '… Connecting' : '● Live';
  setCount('conn', text);
}

function renderNamespaces(): void {
  const names = new Set<string>();
  for (const c of [caches.jobs, caches.pods, caches.cronjobs]) for (const o of c.items.values()) if (o.metadata.namespace) names.add(o.metadata.namespace);
  const select = byId<HTMLSelectElement>('ns');
  const want = ['', ...[...names].sort()];
  const have = Array.from(select.options).map((o) => o.value);
  if (want.join('\n') === have.join('\n')) return;
  select.innerHTML = want.map((n) => `<option value="${esc(n)}"${n === namespace ? ' selected' : ''}>${n ? esc(n) : 'All namespaces'}</option>`).join('');
}

function render(): void {
  const t0 = performance.now();
  const now = Date.now();
  renderConnection();
  renderNamespaces();
  const pods = [...caches.pods.items.values()];
  const grouped = podsByJob(pods);

  const jobs = [...caches.jobs.items.values()].filter(inNamespace).sort(byNewest);
  if (selectedJob && !jobs.some((j) => j.metadata.uid === selectedJob)) selectedJob = '';
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
    reconcile(byId('queues'), memq.queues.map((q) => queueRow(q, memq!.now, windowMs)));
    byId('queues-empty').hidden = memq.queues.length > 0;
    setCount('memq-error', memq.error ? `⚠ ${memq.error}` : '');
  }

  const events = recentEvents([...caches.events.items.values()].filter(inNamespace), MAX_EVENT_ROWS);
  reconcile(byId('events'), events.map((e) => eventRow(e, now)));
  byId('events-empty').hidden = events.length > 0;

  document.body.dataset.renderMs = (performance.now() - t0).toFixed(1);
}

byId('pods-all').addEventListener('click', () => {
  selectedJob = '';
  scheduleRender();
});

void boot();
