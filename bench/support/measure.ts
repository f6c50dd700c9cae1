/**
 * What the benchmarks read beside their own timings: CPU seconds and memory of each service (and
 * of the shared redis-server and nats-server) from /proc, the machine's busy share and load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { Cluster } from '../../scripts/cluster.js';

const CLK_TCK = 100;

/** CPU seconds (own; and of its children) and memory of a process, from /proc. */
export interface ProcReading {
  cpuSec: number;
  /** Children reaped so far (cutime + cstime) plus every live descendant's whole CPU (e.g. the agents' launchers and the runs they reaped). */
  childCpuSec: number;
  /** Peak resident set (VmHWM), MiB. */
  peakRssMiB: number;
  rssMiB: number;
}

/** Read /proc/<pid>/stat (utime, stime, cutime, cstime) and /proc/<pid>/status (VmHWM, VmRSS). */
export function readProc(pid: number): ProcReading {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number) => Number(f[i - 3]) / CLK_TCK;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuSec: tick(14) + tick(15), childCpuSec: tick(16) + tick(17) + descendantsCpu(pid), peakRssMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
}

/** CPU seconds of the live descendants of `pid` (own + reaped children of each), from /proc/<pid>/task/<tid>/children. */
function descendantsCpu(pid: number): number {
  let sum = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop() ?? 0;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      let kids: number[] = [];
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        continue;
      }
      for (const k of kids) {
        try {
          const st = readFileSync(`/proc/${k}/stat`, 'utf8');
          const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
          sum += [11, 12, 13, 14].reduce((a, i) => a + Number(f[i]), 0) / CLK_TCK;
          stack.push(k);
        } catch {
          // gone
        }
      }
    }
  }
  return sum;
}

/** A reading of every service of the cluster. */
export function readServices(c: Cluster): Map<string, ProcReading> {
  const out = new Map<string, ProcReading>();
  for (const [name, p] of c.procs) if (p.pid && p.exitCode === null) out.set(name, readProc(p.pid));
  return out;
}

/** Rows "service, CPU s, children CPU s, peak RSS" for the difference between two readings. */
export function cpuRows(before: Map<string, ProcReading>, after: Map<string, ProcReading>, wallSec: number): (string | number)[][] {
  const rows: (string | number)[][] = [['service', 'CPU s', 'CPU % of wall', 'children CPU s', 'peak RSS MiB']];
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b) continue;
    const cpu = a.cpuSec - b.cpuSec;
    rows.push([name, cpu, (100 * cpu) / wallSec, a.childCpuSec - b.childCpuSec, a.peakRssMiB]);
  }
  return rows;
}

/** The same, as an object for the JSON line. */
export function cpuJson(before: Map<string, ProcReading>, after: Map<string, ProcReading>): Record<string, { cpu_s: number; children_cpu_s: number; peak_rss_mib: number }> {
  const out: Record<string, { cpu_s: number; children_cpu_s: number; peak_rss_mib: number }> = {};
  for (const [name, a] of after) {
    const b = before.get(name);
    if (b) out[name] = { cpu_s: round(a.cpuSec - b.cpuSec), children_cpu_s: round(a.childCpuSec - b.childCpuSec), peak_rss_mib: round(a.peakRssMiB) };
  }
  return out;
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Machine-wide CPU counters (/proc/stat, all cores): busy and total ticks. */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Busy share of the whole machine between two readings, in % of all cores. */
export const busyPct = (a: { busy: number; total: number }, b: { busy: number; total: number }): number => (100 * (b.busy - a.busy)) / Math.max(1, b.total - a.total);

/** Pids of the shared redis-server and nats-server (by /proc/<pid>/comm), to read their CPU. */
export function infraPids(): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if ((comm === 'redis-server' || comm === 'nats-server') && !out.has(`${comm} (shared)`)) out.set(`${comm} (shared)`, Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** Every service of the cluster plus the shared redis-server and nats-server. */
export function readAll(c: Cluster): Map<string, ProcReading> {
  const out = readServices(c);
  for (const [name, pid] of infraPids()) {
    try {
      out.set(name, readProc(pid));
    } catch {
      // gone or not readable
    }
  }
  return out;
}

/** CPU seconds this process and its waited-for children used so far. */
export function selfCpu(): number {
  const r = readProc(process.pid);
  return r.cpuSec + r.childCpuSec;
}

/** 1-minute load average now. */
export const load = (): number[] => os.loadavg().map((x) => round(x));
