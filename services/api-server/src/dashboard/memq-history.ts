/** One queue in MemQ's `GET /memq/server/stats`. */
export interface MemqStat {
  name: string;
  depth: number;
  enqueued: number;
  dequeued: number;
  drained: number;
}

/** The dashboard's view of MemQ: current counters plus `[time ms, depth]` samples per queue. */
export interface MemqSummary {
  enabled: true;
  /** How far back `history` goes. */
  windowSeconds: number;
  /** Server time of this summary (ms), so the browser draws against the same clock. */
  now: number;
  /** When the last successful poll happened (ms), if ever. */
  updated?: number;
  /** The last poll's error, when it failed. */
  error?: string;
  queues: (MemqStat & { history: [number, number][] })[];
}

/** Options of a MemqHistory. */
export interface MemqHistoryOptions {
  /** Reads the stats (fetchMemqStats in production). */
  fetchStats: () => Promise<MemqStat[]>;
  /** Poll period; default 2 s. */
  intervalMs?: number;
  /** History kept per queue; default 10 minutes. */
  windowMs?: number;
  now?: () => number;
}

/**
 * Polls MemQ's stats and keeps each queue's depth over the last minutes in memory. A queue that
 * disappears from the stats (deleted) loses its history; one created again starts a new one.
 */
export class MemqHistory {
  private readonly intervalMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private queues = new Map<string, { stat: MemqStat; history: [number, number][] }>();
  private updated: number | undefined;
  private error: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: MemqHistoryOptions) {
    this.intervalMs = opts.intervalMs ?? 2000;
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Poll now and then every interval; the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll: record a sample per queue and drop samples older than the window. Never throws. */
  async poll(): Promise<void> {
    let stats: MemqStat[];
    try {
      stats = await this.opts.fetchStats();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return;
    }
    const t = this.now();
    const next = new Map<string, { stat: MemqStat; history: [number, number][] }>();
    for (const s of stats) {
      const history = this.queues.get(s.name)?.history ?? [];
      history.push([t, s.depth]);
      const firstKept = history.findIndex(([at]) => at >= t - this.windowMs);
      next.set(s.name, { stat: { name: s.name, depth: s.depth, enqueued: s.enqueued, dequeued: s.dequeued, drained: s.drained }, history: history.slice(firstKept) });
    }
    this.queues = next;
    this.updated = t;
    this.error = undefined;
  }

  /** The summary the dashboard shows, queues sorted by name. */
  summary(): MemqSummary {
    const queues = [...this.queues.values()]
      .sort((a, b) => (a.stat.name < b.stat.name ? -1 : a.stat.name > b.stat.name ? 1 : 0))
      .map((q) => ({ ...q.stat, history: q.history }));
    return {
      enabled: true, windowSeconds: Math.round(this.windowMs / 1000), now: this.now(), queues,
      ...(this.updated !== undefined ? { updated: this.updated } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}

/**
 * Read MemQ's stats, with a timeout. `baseUrl` is the server (`http://127.0.0.1:8090`, memq's
 * default) or, as kuard's `--keygen-memq-server` takes it, its MemQ base (`http://queue:8080/memq/server`).
 */
export async function fetchMemqStats(baseUrl: string, timeoutMs = 3000): Promise<MemqStat[]> {
  const trimmed = baseUrl.replace(/\/+$/, '');
  const url = `${trimmed.endsWith('/memq/server') ? trimmed : `${trimmed}/memq/server`}/stats`;
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`memq answered ${r.status} for ${url}`);
  const body = (await r.json()) as { queues?: MemqStat[] };
  if (!Array.isArray(body.queues)) throw new Error(`memq sent no queues from ${url}`);
  return body.queues;
}
