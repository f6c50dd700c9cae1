import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The cgroups of a node's containers, on cgroup v1 (one hierarchy per controller; also the
 * "hybrid" layout, where runc uses the v1 controllers) and cgroup v2 (one unified hierarchy).
 * Every path given here is relative to the hierarchy roots, e.g. `/kjobs/<node>/pod<uid>/<id>`:
 * runc creates a container's own cgroup from its `cgroupsPath`; this module owns the pod level
 * (the pids limit) and the removal of what is left.
 */

const ROOT = '/sys/fs/cgroup';
const CGROUP2_SUPER_MAGIC = 0x63677270;

/** `v2` when /sys/fs/cgroup is the unified hierarchy, else `v1` (runc's own test). */
export function cgroupMode(): 'v1' | 'v2' {
  try {
    return statfsSync(ROOT).type === CGROUP2_SUPER_MAGIC ? 'v2' : 'v1';
  } catch {
    return 'v1';
  }
}

/** Every mounted cgroup hierarchy (v1 controllers, named hierarchies and cgroup2 mounts). */
export function cgroupMounts(): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const fstype = post.split(' ')[0];
    if (fstype === 'cgroup' || fstype === 'cgroup2') out.push(pre.split(' ')[4]!);
  }
  return out;
}

/**
 * True when the kernel's OOM killer killed a process of this cgroup: v1 `memory.oom_control`
 * (`oom_kill N`), v2 `memory.events` (`oom_kill N`). Read after the run ended, while runc keeps
 * the cgroup (`run --keep`).
 */
export function wasOomKilled(cgroupsPath: string): boolean {
  const file = cgroupMode() === 'v2' ? path.join(ROOT, cgroupsPath, 'memory.events') : path.join(ROOT, 'memory', cgroupsPath, 'memory.oom_control');
  try {
    const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
    return m !== null && Number(m[1]) > 0;
  } catch {
    return false;
  }
}

/**
 * True when no process is left in the cgroup (its memory hierarchy on v1, the unified one on v2),
 * or when it does not exist.
 */
export function cgroupIsEmpty(cgroupsPath: string): boolean {
  const file = cgroupMode() === 'v2' ? path.join(ROOT, cgroupsPath, 'cgroup.procs') : path.join(ROOT, 'memory', cgroupsPath, 'cgroup.procs');
  try {
    return readFileSync(file, 'utf8').trim() === '';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** CPU time used by a cgroup's processes in ns (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
export function cpuUsageNs(cgroupsPath: string): number | undefined {
  try {
    if (cgroupMode() === 'v2') {
      const m = /^usage_usec (\d+)$/m.exec(readFileSync(path.join(ROOT, cgroupsPath, 'cpu.stat'), 'utf8'));
      return m ? Number(m[1]) * 1000 : undefined;
    }
    return Number(readFileSync(path.join(ROOT, 'cpuacct', cgroupsPath, 'cpuacct.usage'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Limit the number of processes of every container of a pod together (the kubelet's
 * podPidsLimit): the pod's cgroup is made here with `pids.max`, and runc creates each container's
 * cgroup below it. On v2 the pids controller is enabled down the path first. Throws when the
 * cgroup cannot be written.
 */
export function setPodPidsLimit(podCgroup: string, limit: number): void {
  if (cgroupMode() === 'v2') {
    const parts = podCgroup.split('/').filter(Boolean);
    let dir = ROOT;
    for (const p of parts) {
      enableController(dir, 'pids');
      dir = path.join(dir, p);
      mkdirSync(dir, { recursive: true });
    }
    writeFileSync(path.join(dir, 'pids.max'), String(limit));
    return;
  }
  const dir = path.join(ROOT, 'pids', podCgroup);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'pids.max'), String(limit));
}

function enableController(dir: string, controller: string): void {
  const file = path.join(dir, 'cgroup.subtree_control');
  if (readFileSync(file, 'utf8').split(/\s+/).includes(controller)) return;
  writeFileSync(file, `+${controller}`);
}

/**
 * Remove the cgroup `relPath` and everything below it in every hierarchy, deepest first. A
 * cgroup that still has processes stays (EBUSY); returns the paths that could not be removed.
 */
export function removeCgroupTree(relPath: string): string[] {
  const left: string[] = [];
  for (const mount of cgroupMounts()) {
    const top = path.join(mount, relPath);
    if (!existsSync(top)) continue;
    const visit = (dir: string) => {
      let entries: string[] = [];
      try {
        entries = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch {
        return;
      }
      for (const e of entries) visit(path.join(dir, e));
      try {
        rmdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
      }
    };
    visit(top);
  }
  return left;
}

/** Remove the cgroup `relPath` in every hierarchy where it has no child cgroup and no process left. */
export function removeEmptyCgroup(relPath: string): void {
  for (const mount of cgroupMounts()) {
    try {
      rmdirSync(path.join(mount, relPath));
    } catch {
      // busy, not empty, or not there
    }
  }
}

/** The child cgroup names of `relPath` in the memory hierarchy (v1) or the unified one (v2). */
export function childCgroups(relPath: string): string[] {
  const base = cgroupMode() === 'v2' ? path.join(ROOT, relPath) : path.join(ROOT, 'memory', relPath);
  try {
    return readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
