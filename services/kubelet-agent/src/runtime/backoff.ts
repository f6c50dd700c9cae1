/** Crash-loop backoff settings (kubelet: initial 10 s, ×2, max 300 s). */
export interface BackoffOptions {
  /** First non-zero delay. Default 10 000 ms. */
  initialMs: number;
  /** Cap. Default 300 000 ms. An entry resets once a container ran longer than 2 × maxMs. */
  maxMs: number;
}

/** The kubelet's defaults. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 10_000, maxMs: 300_000 };

/** One container's backoff window (client-go flowcontrol.Backoff entry), persisted in the pod state. */
export interface BackoffEntry {
  /** The current window. */
  backoffMs: number;
  /** When the window was last advanced (epoch ms). */
  lastUpdateMs: number;
}

function hasExpired(eventMs: number, entry: BackoffEntry, opts: BackoffOptions): boolean {
  return eventMs - entry.lastUpdateMs > 2 * opts.maxMs;
}

/**
 * True while a container that finished at `finishedAtMs` must still wait (flowcontrol
 * `IsInBackOffSince`): there is a live entry and less than its window has passed since the finish.
 */
export function isInBackOffSince(entry: BackoffEntry | undefined, finishedAtMs: number, nowMs: number, opts: BackoffOptions): boolean {
  if (!entry || hasExpired(finishedAtMs, entry, opts)) return false;
  return nowMs - finishedAtMs < entry.backoffMs;
}

/**
 * Advance the window when a restart happens (flowcontrol `Next`): a new or expired entry starts at
 * `initialMs`, otherwise the window doubles up to `maxMs`. Together with `isInBackOffSince` the
 * restarts come after 0, 10, 20, 40, 80, 160, 300, 300 … seconds.
 */
export function nextBackoff(entry: BackoffEntry | undefined, finishedAtMs: number, nowMs: number, opts: BackoffOptions): BackoffEntry {
  if (!entry || hasExpired(finishedAtMs, entry, opts)) return { backoffMs: opts.initialMs, lastUpdateMs: nowMs };
  return { backoffMs: Math.min(entry.backoffMs * 2, opts.maxMs), lastUpdateMs: nowMs };
}

/** When the container may restart: `finishedAtMs + window` while in backoff, else now. */
export function restartAllowedAt(entry: BackoffEntry | undefined, finishedAtMs: number, nowMs: number, opts: BackoffOptions): number {
  return isInBackOffSince(entry, finishedAtMs, nowMs, opts) && entry ? finishedAtMs + entry.backoffMs : nowMs;
}

/** A duration as Go's `time.Duration.String()` prints it: `10s`, `1m20s`, `5m0s`, `50ms`, `1.5s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${trimNumber(ms)}ms`;
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  const sec = `${trimNumber(Math.round(s * 1000) / 1000)}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** The CrashLoopBackOff waiting message, worded as the kubelet words it. */
export function crashLoopMessage(backoffMs: number, container: string, podName: string, namespace: string, uid: string): string {
  return `back-off ${formatGoDuration(backoffMs)} restarting failed container=${container} pod=${podName}_${namespace}(${uid})`;
}
