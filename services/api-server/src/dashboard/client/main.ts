/// <reference lib="dom" />
/**
 * The dashboard's client. does: 1. find a session (the token kept in sessionStorage, or none if
 * the server allows anonymous reads), else show the sign-in form; 2. keep live copies of Jobs,
 * Pods, CronJobs, Nodes and Events with list + watch; 3. poll the api-server's MemQ summary when
 * it has one; 4. render changed rows at most ten times a second, and once a second for clocks.
 */
import type { CronJob, Event, Job, KObject, Node, Pod } from '@kjobs/api';
import { byId } from './dom.js';
import { HttpError, ObjectCache, runReflector } from './reflector.js';
import { type DashboardState, type MemqSummary, render } from './render.js';
import { fetchTransport } from './transport.js';

const TOKEN_KEY = 'kjobs.dashboard.token';
const base = document.body.dataset.base ?? '/dashboard';

interface Session {
  user: string;
  memq: boolean;
  /** memq's address (KJOBS_MEMQ_URL), when the api-server polls one. */
  memqUrl?: string;
}

const dash: DashboardState = {
  caches: {
    jobs: new ObjectCache<Job>(),
    pods: new ObjectCache<Pod>(),
    cronjobs: new ObjectCache<CronJob>(),
    nodes: new ObjectCache<Node>(),
    events: new ObjectCache<Event>(),
  },
  states: new Map(),
  memq: undefined,
  selectedJob: '',
  namespace: '',
  paused: false,
};
const PATHS: Record<keyof DashboardState['caches'], string> = {
  jobs: '/apis/batch/v1/jobs', pods: '/api/v1/pods', cronjobs: '/apis/batch/v1/cronjobs', nodes: '/api/v1/nodes', events: '/api/v1/events',
};
let stop = new AbortController();
let current: { session: Session; token: string | undefined } | undefined;
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
  dash.namespace = (ev.target as HTMLSelectElement).value;
  scheduleRender();
});

document.addEventListener('click', (ev) => {
  const target = (ev.target as HTMLElement).closest<HTMLElement>('[data-select]');
  if (!target) return;
  dash.selectedJob = dash.selectedJob === target.dataset.select ? '' : (target.dataset.select ?? '');
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
  dash.states.clear();
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
  dash.paused = on;
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
  for (const [name, cache] of Object.entries(dash.caches) as [keyof DashboardState['caches'], ObjectCache<KObject>][]) {
    void runReflector({
      path: PATHS[name], cache, transport, signal, onChange: scheduleRender, onFatal: fatal,
      onState: (s) => {
        if (signal.aborted) return;
        dash.states.set(name, s);
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
      dash.memq = await transport.getJson<MemqSummary>(`${base}/api/memq`, signal);
      scheduleRender();
    } catch (e) {
      if (signal.aborted) return;
      dash.memq = { enabled: true, windowSeconds: 600, now: Date.now(), queues: dash.memq?.queues ?? [], error: e instanceof Error ? e.message : String(e) };
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
    render(dash);
  }, 100);
}

byId('pods-all').addEventListener('click', () => {
  dash.selectedJob = '';
  scheduleRender();
});

void boot();
