import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from './logger.js';

/** Where compiled helpers are cached: KJOBS_CACHE_DIR, else $XDG_CACHE_HOME/kjobs, else ~/.cache/kjobs. */
export function nativeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KJOBS_CACHE_DIR) return env.KJOBS_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kjobs');
}

/**
 * One of the agent's small C programs (native/*.c), compiled once per source version and machine
 * with $CC or cc into the cache directory as `<name>-<hash of source and arch>` (built in a temp
 * file and renamed, so agents starting together never run a half-written binary). Undefined when
 * the source or a compiler is missing; `what` names it in the log lines.
 */
export async function compileNative(source: string, name: string, what: string, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  let text: Buffer;
  try {
    text = await readFile(source);
  } catch {
    return undefined;
  }
  const hash = createHash('sha256').update(text).update(os.arch()).digest('hex').slice(0, 12);
  const dir = nativeCacheDir(env);
  const binary = path.join(dir, `${name}-${hash}`);
  if (await stat(binary).then((s) => s.isFile(), () => false)) return binary;
  const tmp = `${binary}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await promisify(execFile)(env.CC || 'cc', ['-O2', '-o', tmp, source], { timeout: 60_000 });
    await rename(tmp, binary);
    log.info({ binary }, `compiled the ${what}`);
    return binary;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    log.warn({ err: (err as Error).message.split('\n')[0] }, `cannot compile the ${what} (no C compiler?)`);
    return undefined;
  }
}

/** True when `p` is a file this process may execute. */
export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `bin` is an executable in one of PATH's directories. */
export function onPath(bin: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => d && isExecutable(path.join(d, bin)));
}
