/**
 * Colour for status words. Only ever applied after alignment (escape codes have no width) and
 * only when the caller decided colour is on: a TTY, `NO_COLOR` unset and `TERM` not "dumb".
 */

const GREEN = new Set(['Complete', 'Completed', 'Succeeded', 'Ready', 'Active', 'True']);
const YELLOW = new Set(['Running', 'Pending', 'ContainerCreating', 'PodInitializing', 'Terminating', 'Suspended', 'SuccessCriteriaMet', 'Unknown']);
const RED = new Set([
  'Failed', 'Error', 'CrashLoopBackOff', 'FailureTarget', 'ImagePullBackOff', 'ErrImagePull', 'OOMKilled',
  'NotReady', 'Evicted', 'DeadlineExceeded', 'BackoffLimitExceeded', 'CreateContainerError', 'RunContainerError',
  'False', 'ContainerStatusUnknown',
]);

const CODES = { green: '\x1b[32m', yellow: '\x1b[33m', red: '\x1b[31m', reset: '\x1b[0m' } as const;

/** Whether colour should be used: a TTY, NO_COLOR unset, TERM not dumb. */
export function shouldColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** The colour of a status word, or undefined when it has none. */
export function statusColor(word: string): 'green' | 'yellow' | 'red' | undefined {
  const t = word.trim();
  const w = t.startsWith('Init:') ? t.slice('Init:'.length) : t;
  if (GREEN.has(w)) return 'green';
  if (YELLOW.has(w)) return 'yellow';
  if (RED.has(w) || /^(Signal|ExitCode):/.test(w)) return 'red';
  return undefined;
}

/** Wrap `text` in a colour. */
export function paint(text: string, color: 'green' | 'yellow' | 'red'): string {
  return `${CODES[color]}${text}${CODES.reset}`;
}

/** Colour the status word inside an already padded cell, keeping the padding outside the codes. */
export function paintStatusCell(padded: string): string {
  const word = padded.trimEnd();
  const color = statusColor(word);
  if (!color || word === '') return padded;
  return paint(word, color) + padded.slice(word.length);
}
