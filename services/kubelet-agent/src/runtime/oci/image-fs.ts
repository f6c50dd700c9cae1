import { type Stats, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Read-only look-ups in an image's merged view without mounting it: the layer directories
 * (bottom first) as the overlay would stack them, whiteouts (0/0 character devices) hiding what
 * is below, symlinks resolved inside the image's root — never through the host's file system.
 * Used before a run starts: the user from /etc/passwd and /etc/group, and whether the program
 * exists (so a missing one is a StartError, as with runc's `exec: "x": executable file not found`).
 */

const MAX_LINKS = 40;

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

function lstat(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Where a path of the image lives: the layer file's host path and its stats; undefined when absent. */
export function resolveInImage(layers: readonly string[], containerPath: string): { hostPath: string; stats: Stats } | undefined {
  let todo = containerPath.split('/').filter((s) => s && s !== '.');
  let done: string[] = [];
  // The layers (top first) in which the resolved prefix `done` is a directory.
  const top = [...layers].reverse();
  let dirs = top;
  let links = 0;
  while (todo.length) {
    const comp = todo.shift()!;
    if (comp === '..') {
      done.pop();
      dirs = layersWithDir(top, done);
      continue;
    }
    const rel = [...done, comp].join('/');
    let hit: { layer: string; st: Stats } | undefined;
    for (const layer of dirs) {
      const st = lstat(path.join(layer, rel));
      if (st) {
        hit = { layer, st };
        break;
      }
    }
    if (!hit || isWhiteout(hit.st)) return undefined;
    if (hit.st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return undefined;
      const target = readlinkSync(path.join(hit.layer, rel));
      todo = [...target.split('/').filter((s) => s && s !== '.'), ...todo];
      if (target.startsWith('/')) done = [];
      dirs = layersWithDir(top, done);
      continue;
    }
    if (!todo.length) return { hostPath: path.join(hit.layer, rel), stats: hit.st };
    if (!hit.st.isDirectory()) return undefined;
    done.push(comp);
    dirs = layersWithDir(top, done);
  }
  const root = dirs[0];
  return root ? { hostPath: path.join(root, done.join('/')), stats: lstat(path.join(root, done.join('/')))! } : undefined;
}

/** The layers (top first) where `prefix` is a directory, down to the first layer that hides it. */
function layersWithDir(top: readonly string[], prefix: string[]): string[] {
  if (!prefix.length) return [...top];
  const rel = prefix.join('/');
  const out: string[] = [];
  for (const layer of top) {
    const st = lstat(path.join(layer, rel));
    if (!st) continue;
    if (!st.isDirectory()) break;
    out.push(layer);
  }
  return out;
}

/** A file of the image as text, or undefined. */
export function readImageFile(layers: readonly string[], containerPath: string): string | undefined {
  const f = resolveInImage(layers, containerPath);
  if (!f || !f.stats.isFile()) return undefined;
  try {
    return readFileSync(f.hostPath, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Find the program like execvp in the container: a path with a slash as is (relative to `cwd`),
 * else each PATH entry. Returns the container path or undefined.
 */
export function findImageExecutable(layers: readonly string[], program: string, pathVar: string, cwd: string): string | undefined {
  const candidates = program.includes('/') ? [path.posix.resolve(cwd, program)] : pathVar.split(':').filter(Boolean).map((d) => path.posix.join(d, program));
  for (const c of candidates) {
    const f = resolveInImage(layers, c);
    if (f && f.stats.isFile() && (f.stats.mode & 0o111) !== 0) return c;
  }
  return undefined;
}

/** The user a run starts as. */
export interface RunUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/**
 * The run's uid/gid, as containerd resolves them: `runAsUser`/`runAsGroup` win; else the image's
 * USER (`name`, `uid`, `name:group`, `uid:gid`), names looked up in the image's /etc/passwd and
 * /etc/group; the primary group from passwd when no group is named; plus the groups of
 * /etc/group listing the user, and the pod's supplemental groups.
 * Returns an error message (CreateContainerConfigError) when a name cannot be found.
 */
export function resolveRunUser(layers: readonly string[], imageUser: string | undefined, sc: { runAsUser?: number; runAsGroup?: number; supplementalGroups: number[] }): RunUser | { error: string } {
  const passwd = parseColonFile(readImageFile(layers, '/etc/passwd'));
  const group = parseColonFile(readImageFile(layers, '/etc/group'));
  const [userPart = '', groupPart] = (imageUser ?? '').split(':');
  let uid = 0;
  let gid: number | undefined;
  let name: string | undefined;
  if (sc.runAsUser !== undefined) {
    uid = sc.runAsUser;
    const row = passwd.find((r) => Number(r[2]) === uid);
    name = row?.[0];
    if (row) gid = Number(row[3]);
  } else if (userPart) {
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      const row = passwd.find((r) => Number(r[2]) === uid);
      name = row?.[0];
      if (row) gid = Number(row[3]);
    } else {
      const row = passwd.find((r) => r[0] === userPart);
      if (!row) return { error: `unable to find user ${userPart}: no matching entries in passwd file` };
      name = userPart;
      uid = Number(row[2]);
      gid = Number(row[3]);
    }
  } else {
    name = passwd.find((r) => Number(r[2]) === 0)?.[0] ?? 'root';
  }
  if (sc.runAsGroup !== undefined) gid = sc.runAsGroup;
  else if (groupPart && sc.runAsUser === undefined) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const row = group.find((r) => r[0] === groupPart);
      if (!row) return { error: `unable to find group ${groupPart}: no matching entries in group file` };
      gid = Number(row[2]);
    }
  }
  const extra = name ? group.filter((r) => (r[3] ?? '').split(',').includes(name!)).map((r) => Number(r[2])) : [];
  const additionalGids = [...new Set([...extra, ...sc.supplementalGroups])].filter((g) => Number.isInteger(g) && g !== (gid ?? uid));
  return { uid, gid: gid ?? 0, additionalGids };
}

function parseColonFile(text: string | undefined): string[][] {
  if (!text) return [];
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}
