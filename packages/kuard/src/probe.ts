import { relTime } from './humanize.js';

/** One probe answer in the history. */
interface ProbeHistory {
  id: number;
  when: number;
  code: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Go's time.Stamp layout `Jan _2 15:04:05` (local time). */
export function formatStamp(ms: number): string {
  const d = new Date(ms);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' + day : day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `GET /healthy/api` body. */
export interface ProbeStatus {
  probePath: string;
  failNext: number;
  history: { id: number; when: string; relWhen: string; code: number }[];
}

/**
 * kuard's debug probe (`pkg/debugprobe/probe.go`) behind /healthy and /ready: failNext > 0 fails
 * the next N probes ("fail, N left" with the count after decrementing), < 0 fails forever
 * ("fail, permanent"), 0 answers "ok". Keeps the last 20 answers.
 */
export class DebugProbe {
  private lastId = 0;
  private history: ProbeHistory[] = [];

  constructor(
    public failNext = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Answer one probe: status code and text body. */
  handle(): { status: number; message: string } {
    let status = 200;
    let message = 'ok';
    if (this.failNext > 0) {
      status = 500;
      this.failNext--;
      message = `fail, ${this.failNext} left`;
    } else if (this.failNext < 0) {
      status = 500;
      message = 'fail, permanent';
    }
    this.history.push({ id: ++this.lastId, when: this.now(), code: status });
    if (this.history.length > 20) this.history = this.history.slice(-20);
    return { status, message };
  }

  /** The API view, newest answer first. `probePath` is always "" (kuard's probe.go:43 bug). */
  status(): ProbeStatus {
    const now = this.now();
    return {
      probePath: '',
      failNext: this.failNext,
      history: [...this.history].reverse().map((h) => ({
        id: h.id,
        when: formatStamp(h.when),
        relWhen: relTime(h.when, now, 'ago', 'from now'),
        code: h.code,
      })),
    };
  }
}
