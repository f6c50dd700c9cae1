import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `maxBytes` of a file (or all of it), as text. */
export function readTail(file: string, maxBytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The termination message, as the kubelet reads it: the file's content (at most 4096 bytes; a
 * process run has no such file: `file` undefined);
 * with FallbackToLogsOnError, when that is empty and the run failed, the log's last 80 lines (at
 * most 2048 bytes).
 */
export function terminationMessage(file: string | undefined, logFile: string, policy: string | undefined, exitCode: number): string | undefined {
  const text = file ? readTail(file, 4096) : '';
  if (text) return text;
  if (policy !== 'FallbackToLogsOnError' || exitCode === 0) return undefined;
  const lines = readTail(logFile, 2048).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-80).join('\n') || undefined;
}
