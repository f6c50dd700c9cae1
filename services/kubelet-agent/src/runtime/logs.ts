import { statSync } from 'node:fs';
import { type FileHandle, appendFile, open, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Container logs. The child writes its log file directly (no agent in the path), so the agent
 * cannot stamp each line as it is written. Instead a recorder polls the file size while the
 * container runs and appends "<size> <epoch ms>" to a `.times` file whenever it grew: every byte
 * gets the time it was first SEEN. Timestamps (and `sinceSeconds`) are therefore approximate:
 * late by up to the poll interval (250 ms by default), and bytes written while the agent was down
 * get the time the restarted agent first saw them. Lines are stamped with the time of their
 * first byte.
 */

/** Options of `kubectl logs` the runtime honours. */
export interface LogOptions {
  /** The previous run of the container (`--previous`). */
  previous?: boolean;
  /** Only the last N lines. */
  tailLines?: number;
  /** Only lines newer than this many seconds. */
  sinceSeconds?: number;
  /** Only lines at or after this RFC 3339 time. */
  sinceTime?: string;
  /** Prefix each line with its RFC 3339 timestamp and a space. */
  timestamps?: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

/** One `.times` entry: bytes below `offset` had been seen by `ms`. */
export interface TimesEntry {
  offset: number;
  ms: number;
}

/** Parse a `.times` file. */
export function parseTimes(text: string): TimesEntry[] {
  const out: TimesEntry[] = [];
  for (const line of text.split('\n')) {
    const [a, b] = line.split(' ');
    const offset = Number(a);
    const ms = Number(b);
    if (line && Number.isFinite(offset) && Number.isFinite(ms)) out.push({ offset, ms });
  }
  return out;
}

/** The time a byte was first seen: the first entry whose offset is past it, else `fallbackMs`. */
export function timeOfByte(times: TimesEntry[], byte: number, fallbackMs: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid]?.offset ?? 0) > byte) hi = mid;
    else lo = mid + 1;
  }
  return times[lo]?.ms ?? fallbackMs;
}

/** RFC 3339 with the fraction trimmed as Go's RFC3339Nano prints it (`…:05.12Z`, `…:05Z`). */
export function formatRfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** A log line with the byte offset it starts at. */
interface Line {
  start: number;
  text: Buffer;
}

function splitLines(buf: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl + 1;
    lines.push({ start, text: buf.subarray(start, end) });
    start = end;
  }
  return lines;
}

/**
 * Apply the options to a log (pure), in the kubelet's order: since → tail → timestamps →
 * limitBytes. `fallbackMs` stamps bytes not yet in `times`.
 */
export function formatLogs(buf: Buffer, times: TimesEntry[], opts: LogOptions, nowMs: number, fallbackMs: number): Buffer {
  let lines = splitLines(buf);
  const stamp = (l: Line) => timeOfByte(times, l.start, fallbackMs);
  const since = sinceCutoff(opts, nowMs);
  if (since !== undefined) lines = lines.filter((l) => stamp(l) >= since);
  if (opts.tailLines !== undefined && opts.tailLines >= 0) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
  const parts = lines.map((l) => (opts.timestamps ? Buffer.concat([Buffer.from(`${formatRfc3339Nano(stamp(l))} `), l.text]) : l.text));
  const out = Buffer.concat(parts);
  return opts.limitBytes !== undefined && opts.limitBytes >= 0 && out.length > opts.limitBytes ? out.subarray(0, opts.limitBytes) : out;
}

function sinceCutoff(opts: LogOptions, nowMs: number): number | undefined {
  if (opts.sinceSeconds !== undefined) return nowMs - opts.sinceSeconds * 1000;
  if (opts.sinceTime !== undefined) {
    const t = Date.parse(opts.sinceTime);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Read a log file and its `.times` (missing files read as empty) and format it. */
export async function readLogFile(logPath: string, timesPath: string, opts: LogOptions, nowMs: number): Promise<Buffer> {
  const [buf, times, st] = await Promise.all([
    readFile(logPath).catch(() => Buffer.alloc(0)),
    readFile(timesPath, 'utf8').then(parseTimes, () => []),
    stat(logPath).catch(() => undefined),
  ]);
  return formatLogs(buf, times, opts, nowMs, st?.mtimeMs ?? nowMs);
}

/**
 * Polls a running container's log size and records when new bytes appeared (see the module
 * comment). `stop()` takes a last sample.
 */
export class LogTimesRecorder {
  private last = -1;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly logPath: string,
    private readonly timesPath: string,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {}

  /**
   * Start sampling; continues after the last recorded offset (after an agent restart). `fresh`
   * (a run just started) skips reading a times file that cannot exist yet.
   */
  async start(fresh = false): Promise<void> {
    const times = fresh ? [] : parseTimes(await readFile(this.timesPath, 'utf8').catch(() => ''));
    this.last = times.at(-1)?.offset ?? 0;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
    if (!fresh) await this.sample();
  }

  /** Take one sample now (serialised with the periodic ones). */
  sample(): Promise<void> {
    this.busy = this.busy.then(async () => {
      // Synchronous: a stat costs microseconds, a trip through the thread pool a wake-up.
      const st = statSync(this.logPath, { throwIfNoEntry: false });
      if (!st || st.size <= this.last) return;
      this.last = st.size;
      await appendFile(this.timesPath, `${st.size} ${this.now()}\n`).catch(() => {});
    });
    return this.busy;
  }

  /** Stop sampling after a final sample. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sample();
  }

  /** Stop sampling without a final sample (the runtime is closing). */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** What `followLogFile` needs. */
export interface FollowArgs {
  logPath: string;
  timesPath: string;
  opts: LogOptions;
  onChunk: (chunk: Buffer) => void;
  signal: AbortSignal;
  /** True once the run has ended (its output is then complete). */
  isDone: () => boolean;
  now: () => number;
  pollMs: number;
}

/**
 * Stream a log: first what is there (with the options applied), then new bytes as they appear,
 * until the run has ended and everything was sent, `limitBytes` is reached, or `signal` aborts.
 * With `timestamps`, only complete lines are sent (stamped when seen), and the last partial line
 * is sent when the run ends.
 */
export async function followLogFile(a: FollowArgs): Promise<void> {
  // One handle for the whole follow: the pod may be deleted (and its log unlinked) right after
  // its container's last line, and an open handle still reads what was written.
  let fh: FileHandle | undefined = await open(a.logPath, 'r').catch(() => undefined);
  try {
    let remaining = a.opts.limitBytes ?? Number.POSITIVE_INFINITY;
    const emit = (chunk: Buffer): boolean => {
      if (chunk.length === 0) return remaining > 0;
      const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= piece.length;
      a.onChunk(piece);
      return remaining > 0;
    };
    const initial = fh ? await readFrom(fh, 0) : Buffer.alloc(0);
    let pos = initial.length;
    if (a.opts.timestamps) pos = initial.lastIndexOf(0x0a) + 1;
    const times = parseTimes(await readFile(a.timesPath, 'utf8').catch(() => ''));
    const { limitBytes: _ignored, ...formatOpts } = a.opts;
    if (!emit(formatLogs(initial.subarray(0, pos), times, formatOpts, a.now(), a.now()))) return;
    let pending = Buffer.alloc(0);
    const stampLines = (buf: Buffer, flush: boolean): Buffer => {
      pending = Buffer.concat([pending, buf]);
      const cut = flush ? pending.length : pending.lastIndexOf(0x0a) + 1;
      const ready = pending.subarray(0, cut);
      pending = pending.subarray(cut);
      return formatLogs(ready, [], { timestamps: true }, a.now(), a.now());
    };
    for (;;) {
      if (a.signal.aborted) return;
      const done = a.isDone();
      fh ??= await open(a.logPath, 'r').catch(() => undefined);
      const fresh = fh ? await readFrom(fh, pos) : Buffer.alloc(0);
      pos += fresh.length;
      const out = a.opts.timestamps ? stampLines(fresh, done) : fresh;
      if (!emit(out) || done) return;
      await sleep(a.pollMs, undefined, { signal: a.signal }).catch(() => {});
    }
  } finally {
    await fh?.close();
  }
}

async function readFrom(fh: FileHandle, pos: number): Promise<Buffer> {
  const { size } = await fh.stat();
  if (size <= pos) return Buffer.alloc(0);
  const buf = Buffer.alloc(size - pos);
  const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
  return buf.subarray(0, bytesRead);
}
