/** Where kuard's log lines go: Go's `log` package writes each entry to stderr in one write. */
export type LogSink = (text: string) => void;

const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Go's default log prefix `2006/01/02 15:04:05 ` in local time. */
export function goLogPrefix(d: Date): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
}

/**
 * Go's `log.Print(msg)`: prefix + message, plus a newline unless the message already ends with
 * one. Multi-line messages keep the prefix on the first line only.
 */
export function formatGoLog(msg: string, now: Date): string {
  return goLogPrefix(now) + msg + (msg.endsWith('\n') ? '' : '\n');
}

/** A Go-style logger writing through `sink` (stderr in the program). */
export class GoLogger {
  constructor(
    private readonly sink: LogSink,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** log.Print */
  print(msg: string): void {
    this.sink(formatGoLog(msg, this.clock()));
  }
}
