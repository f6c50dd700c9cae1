/**
 * The file trees of kjobs' images: a user database, /tmp, a node runtime copied from this machine
 * (the binary, the shared libraries `ldd` lists and the dynamic loader), and busybox with its
 * applet links. Each function returns tar entries; {@link withParentDirs} completes the tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TarEntry } from './tar.js';

/** uid and gid of `nobody` in the images (as in Debian and Alpine). */
export const NOBODY_ID = 65534;

/** /etc/passwd and /etc/group with root and nobody, and /tmp (1777). */
export function baseEntries(): TarEntry[] {
  const passwd = `root:x:0:0:root:/root:/bin/sh\nnobody:x:${NOBODY_ID}:${NOBODY_ID}:nobody:/nonexistent:/usr/sbin/nologin\n`;
  const group = `root:x:0:\nnobody:x:${NOBODY_ID}:\n`;
  return [
    { type: 'file', path: 'etc/passwd', mode: 0o644, data: Buffer.from(passwd) },
    { type: 'file', path: 'etc/group', mode: 0o644, data: Buffer.from(group) },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ];
}

/**
 * The shared libraries and the loader `ldd` lists for `binary`, as absolute paths in the order
 * ldd prints them (linux-vdso, which has no file, left out).
 */
export function sharedLibraries(binary: string): string[] {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.error) throw new Error(`ldd ${binary}: ${r.error.message}`);
  const out = `${r.stdout}${r.stderr}`;
  // A static binary: ldd says so (and exits 1 on glibc's ldd).
  if (/not a dynamic executable|statically linked/.test(out)) return [];
  if (r.status !== 0) throw new Error(`ldd ${binary}: ${out.trim()}`);
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  if (libs.length === 0) throw new Error(`ldd ${binary}: no libraries found in ${JSON.stringify(out)}`);
  return libs;
}

/** A regular file of this machine at `imagePath`, symlinks followed, mode kept. */
function hostFile(hostPath: string, imagePath: string, mode?: number): TarEntry {
  const real = realpathSync(hostPath);
  return { type: 'file', path: imagePath, mode: mode ?? statSync(real).mode & 0o7777, data: readFileSync(real) };
}

/**
 * `node` at /usr/bin/node (whatever path it has here) plus every library ldd lists for it, each at
 * the path ldd printed (so the loader finds them without an ld.so.cache), the loader included.
 */
export function nodeRuntimeEntries(nodePath: string): TarEntry[] {
  return [hostFile(nodePath, 'usr/bin/node'), ...sharedLibraries(nodePath).map((lib) => hostFile(lib, lib))];
}

/** The applets a busybox binary offers (`busybox --list`). */
export function busyboxApplets(busyboxPath: string): string[] {
  return execFileSync(busyboxPath, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => /^[\w.[\]-]+$/.test(a));
}

/** The version of a busybox binary, e.g. `1.35.0` (from its banner). */
export function busyboxVersion(busyboxPath: string): string {
  const banner = execFileSync(busyboxPath, { encoding: 'utf8' });
  const m = /BusyBox v(\d+\.\d+\.\d+)/.exec(banner);
  if (!m?.[1]) throw new Error(`cannot read the busybox version from ${JSON.stringify(banner.split('\n')[0])}`);
  return m[1];
}

/** /bin/busybox and one symlink `/bin/<applet>` → `busybox` per applet (except busybox itself). */
export function busyboxEntries(busyboxPath: string): TarEntry[] {
  const links: TarEntry[] = busyboxApplets(busyboxPath)
    .filter((a) => a !== 'busybox')
    .map((a) => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' }));
  return [hostFile(busyboxPath, 'bin/busybox', 0o755), ...links];
}

/** `entries` plus a directory entry (0755, root) for every parent directory none of them names. */
export function withParentDirs(entries: TarEntry[]): TarEntry[] {
  const named = new Set(entries.map((e) => path.posix.normalize(e.path.replace(/^\/+/, '')).replace(/\/$/, '')));
  const out = [...entries];
  for (const e of entries) {
    let dir = path.posix.dirname(path.posix.normalize(e.path.replace(/^\/+/, '')));
    while (dir !== '.' && dir !== '/' && !named.has(dir)) {
      named.add(dir);
      out.push({ type: 'dir', path: dir, mode: 0o755 });
      dir = path.posix.dirname(dir);
    }
  }
  return out;
}
