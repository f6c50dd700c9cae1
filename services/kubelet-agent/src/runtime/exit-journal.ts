import { readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './proc.js';

/**
 * The launchers' exit journals (native/kjobs-launcher.c): `<dir>/<launcher pid>.log` and its
 * previous part `<dir>/<launcher pid>.old.log`, lines of "<status> <epoch ms> <exit file>". The
 * exit file's path is the key: a run started by a launcher has its status here, one started by
 * the sh shim in the file itself. Read only when the agent did not see a run end (after a
 * restart, or when the launcher died): parsed files are cached by size and mtime.
 */
const parsed = new Map<string, { size: number; mtimeMs: number; exits: Map<string, { code: number; mtimeMs: number }> }>();

/** The status journaled for `exitFile` in `dir`, or undefined when none is. */
export function readExitJournal(dir: string, exitFile: string): { code: number; mtimeMs: number } | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  let found: { code: number; mtimeMs: number } | undefined;
  for (const name of names) {
    if (!name.endsWith('.log')) continue;
    const hit = journal(join(dir, name))?.get(exitFile);
    if (hit && (!found || hit.mtimeMs > found.mtimeMs)) found = hit;
  }
  return found;
}

function journal(path: string): Map<string, { code: number; mtimeMs: number }> | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    parsed.delete(path);
    return undefined;
  }
  const cached = parsed.get(path);
  if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached.exits;
  const exits = new Map<string, { code: number; mtimeMs: number }>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    if (a <= 0 || b <= a) continue; // a torn or empty line
    const code = Number(line.slice(0, a));
    const ms = Number(line.slice(a + 1, b));
    if (Number.isInteger(code) && Number.isFinite(ms)) exits.set(line.slice(b + 1), { code, mtimeMs: ms });
  }
  parsed.set(path, { size: st.size, mtimeMs: st.mtimeMs, exits });
  return exits;
}

/**
 * Delete the journals of launchers that have ended (their pid is gone): run once a restarted
 * agent has read what it needed from them. A pid reused by another process keeps its file.
 */
export function pruneExitJournals(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^(\d+)(\.old)?\.log$/.exec(name);
    if (!m || isProcessAlive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      parsed.delete(join(dir, name));
    } catch {
      // gone already
    }
  }
}
