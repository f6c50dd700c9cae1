/**
 * The cluster's processes: spawning a service from its bundle, its log, and the last resort of a
 * stop (launchers an agent left behind). Part of scripts/cluster.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isBundleStale } from '../bundle.mjs';
import { ROOT, type ServiceSpec } from './services.js';

/** The bundle a service runs (scripts/bundle.mjs): services/<name>/src/main.ts → services/<name>/dist/main.mjs. */
export function bundleOf(entry: string): string {
  return path.join(ROOT, entry.replace(/\/src\/main\.ts$/, '/dist/main.mjs'));
}

/**
 * Spawn a service as a process: `node services/<name>/dist/main.mjs`, its bundle (rebuilt first
 * if a source changed since), its output appended to `<home>/logs/<name>.log`.
 */
export function spawnService(s: ServiceSpec, home: string): ChildProcess {
  const logDir = path.join(home, 'logs');
  mkdirSync(logDir, { recursive: true });
  const out = createWriteStream(path.join(logDir, `${s.name}.log`), { flags: 'a' });
  const bundle = bundleOf(s.entry);
  if (isBundleStale(bundle)) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), path.basename(path.dirname(path.dirname(bundle)))], { stdio: 'ignore' });
  const child = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? home, ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  return child;
}

/**
 * The last resort of a stop: the native launchers of this cluster's nodes (their argument is a
 * directory under `nodesDir`) and the process groups of the runs they still hold are SIGKILLed.
 * A running agent stops its pods itself (node shutdown); this ends what an agent that was down
 * left behind. Returns how many runs were ended.
 */
export function sweepLaunchers(nodesDir: string): number {
  const launchers: number[] = [];
  const parentOf = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parentOf.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '').startsWith('kjobs-launcher') && (argv[1] ?? '').startsWith(`${nodesDir}/`)) launchers.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  let runs = 0;
  for (const [pid, ppid] of parentOf) {
    if (!launchers.includes(ppid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      runs++;
    } catch {
      // already gone
    }
  }
  for (const l of launchers) {
    try {
      process.kill(l, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return runs;
}

/** The last non-empty line a service wrote to its log (for a start that failed). */
export function lastLogLine(home: string, name: string): string {
  try {
    const lines = readFileSync(path.join(home, 'logs', `${name}.log`), 'utf8').trim().split('\n');
    return lines.filter((l) => !l.startsWith('{')).at(-1) ?? lines.at(-1) ?? '';
  } catch {
    return '';
  }
}
