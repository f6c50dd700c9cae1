/**
 * kubectl's request flags: `--request-timeout` (Go durations, a bare integer is seconds, 0 is no
 * timeout) and `-v` (klog verbosity; from 6 on, one line per request in klog's format).
 */
import { CliError } from './errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `--request-timeout` in milliseconds (0 = none), or kubectl's error for a bad value. */
export function parseRequestTimeout(value: string | undefined): number {
  const v = (value ?? '0').replace(/^=/, '');
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const parts = [...v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (v !== '' && parts.map((p) => p[0]).join('') === v) return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  throw new CliError('Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)');
}

/** `-v` / `--v` as a number (pflag takes `-v=6`, `-v 6`, `--v=6`). */
export function parseVerbosity(value: string | undefined): number {
  const v = (value ?? '0').replace(/^=/, '');
  if (!/^\d+$/.test(v)) throw new CliError(`invalid argument "${v}" for "-v, --v" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** A klog info line: `I1207 13:15:25.607133   17975 round_trippers.go:560] message`. */
export function klogLine(now: Date, pid: number, source: string, message: string): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const micros = String(now.getMilliseconds() * 1000).padStart(6, '0');
  return `I${p2(now.getMonth() + 1)}${p2(now.getDate())} ${p2(now.getHours())}:${p2(now.getMinutes())}:${p2(now.getSeconds())}.${micros} ${String(pid).padStart(7)} ${source}] ${message}\n`;
}
