/**
 * /proc readings for the chaos and soak suites: which live processes belong to this run (by a
 * marker in their environment or by pid), and a process's resident memory.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A live process and the first line of its command. */
export interface ProcInfo {
  pid: number;
  cmd: string;
}

function isAlive(pid: number): boolean {
  try {
    // A zombie still has a /proc entry; it is gone for our purposes (nothing runs).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 160);
  } catch {
    return '?';
  }
}

/**
 * Live processes whose environment has a variable `NAME=value` with value starting with one of
 * `markers[NAME]` (e.g. `{ HOME: '/tmp/kjobs-chaos-x/' }` finds every pod process of the run,
 * whose HOME is its pod dir, and `{ KJOBS_HOME: '/tmp/kjobs-chaos-x' }` every service).
 */
export function processesWithEnv(markers: Record<string, string>): ProcInfo[] {
  const out: ProcInfo[] = [];
  const wanted = Object.entries(markers);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    if (pid === process.pid) continue;
    let env: string[];
    try {
      env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const hit = env.some((kv) => {
      const i = kv.indexOf('=');
      return wanted.some(([k, v]) => kv.slice(0, i) === k && kv.slice(i + 1).startsWith(v));
    });
    if (hit && isAlive(pid)) out.push({ pid, cmd: cmdline(pid) });
  }
  return out;
}

/** Live processes whose working directory is `dir` or below it (pods run in their pod dir). */
export function processesUnder(dir: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cwd = readlinkSync(`/proc/${d}/cwd`);
      if ((cwd === dir || cwd.startsWith(dir + '/')) && isAlive(Number(d))) out.push({ pid: Number(d), cmd: cmdline(Number(d)) });
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

/** The pids of `pids` that are still alive. */
export function alivePids(pids: number[]): ProcInfo[] {
  return pids.filter(isAlive).map((pid) => ({ pid, cmd: cmdline(pid) }));
}

/** Resident set size of a process in MiB (VmRSS), or undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
