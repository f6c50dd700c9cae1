import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseQuantity, type Pod } from '@kjobs/api';
import { writeAtomically } from './atomic-writer.js';
import type { PodConfigData } from './config-data.js';
import { podDir } from './layout.js';
import type { Logger } from './logger.js';
import { isSafeRelativePath, podVolumes, samePayload, VOLUME_PLUGINS, volumeKind, volumePayload, type PayloadFile, type VolumeKind, type VolumeSpec } from './volumes.js';

const run = promisify(execFile);

/** Options of a node's volumes; every field names its default. */
export interface VolumeOptions {
  /** May pods use `hostPath` volumes? Default true (as Kubernetes); false refuses them (FailedMount). */
  allowHostPath?: boolean;
  /**
   * `emptyDir.medium: Memory` as a tmpfs mounted on the volume directory (size = sizeLimit), and
   * secret volumes (and projected ones with a secret) on a tmpfs too, as the kubelet keeps them.
   * Needs root (the OCI runtime). Default: true when the agent runs as root, else plain directories.
   */
  memoryAsTmpfs?: boolean;
  /**
   * The process runtime's stand-in for mounts: each container's `volumeMounts[].mountPath` becomes
   * a symlink `<pod dir>/<mountPath>` to the volume (or its subPath). Default false (OCI bind-mounts).
   */
  linkMountPaths?: boolean;
}

/** `<pod dir>/volumes/<plugin>/<name>`: where a volume lives on the node (the kubelet's layout). */
export function volumeDir(rootDir: string, uid: string, kind: VolumeKind, name: string): string {
  return path.join(podDir(rootDir, uid), 'volumes', VOLUME_PLUGINS[kind], name);
}

/** The outcome of setting up a pod's volumes: ready, or the first volume that failed (FailedMount). */
export type SetUpResult = { ok: true } | { ok: false; volume: string; message: string };

/** What setUp needs beside the pod. */
export interface SetUpInput {
  pod: Pod;
  podIP: string;
  hostIP: string;
  nodeName: string;
  data: PodConfigData | undefined;
  now: Date;
}

/**
 * A node's pod volumes: makes each pod's `emptyDir`, `configMap`, `secret`, `downwardAPI`,
 * `projected` and `hostPath` volumes exist and keeps the written ones current (an atomic `..data`
 * swap when their content changes), and removes them with the pod.
 */
export class PodVolumes {
  private readonly written = new Map<string, PayloadFile[]>();
  private readonly allowHostPath: boolean;
  private readonly memoryAsTmpfs: boolean;

  constructor(private readonly rootDir: string, private readonly o: VolumeOptions & { log: Logger }) {
    this.allowHostPath = o.allowHostPath ?? true;
    this.memoryAsTmpfs = o.memoryAsTmpfs ?? process.getuid?.() === 0;
  }

  /**
   * Set up every volume of the pod (idempotent; call on every sync). Does: 1. each volume: its
   * directory, payload or host path check; 2. for the process runtime, the mountPath links.
   * Never throws: a failure is the FailedMount message of the first volume that failed; the
   * volumes before it are set up, and content already written stays (as in Kubernetes, a running
   * pod keeps its last good files when a ConfigMap goes away).
   */
  async setUp(i: SetUpInput): Promise<SetUpResult> {
    const uid = i.pod.metadata.uid ?? '';
    for (const v of podVolumes(i.pod)) {
      try {
        const message = await this.setUpVolume(uid, v, i);
        if (message) return { ok: false, volume: v.name, message };
      } catch (e) {
        return { ok: false, volume: v.name, message: (e as Error).message };
      }
    }
    if (this.o.linkMountPaths) await this.linkMountPaths(i.pod);
    return { ok: true };
  }

  private async setUpVolume(uid: string, v: VolumeSpec, i: SetUpInput): Promise<string | undefined> {
    const kind = volumeKind(v);
    if (!kind) return undefined;
    const dir = volumeDir(this.rootDir, uid, kind, v.name);
    if (kind === 'emptyDir') return this.setUpEmptyDir(dir, v.emptyDir as { medium?: string; sizeLimit?: string });
    if (kind === 'hostPath') return this.checkHostPath(v.hostPath as { path?: string; type?: string });
    const payload = volumePayload(v, i.data, i);
    if (!payload) return undefined;
    if (!payload.ok) return payload.message;
    const last = this.written.get(dir);
    if (last && samePayload(last, payload.files)) return undefined;
    // As the kubelet keeps them, Secrets live in memory (a tmpfs) where the agent can mount one.
    if (this.memoryAsTmpfs && holdsSecrets(v) && !(await isMountPoint(dir))) {
      await mkdir(dir, { recursive: true });
      await run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', dir]);
    }
    await writeAtomically(dir, payload.files, i.now);
    this.written.set(dir, payload.files);
    return undefined;
  }

  private async setUpEmptyDir(dir: string, src: { medium?: string; sizeLimit?: string }): Promise<undefined> {
    await mkdir(dir, { recursive: true });
    if (src.medium === 'Memory' && this.memoryAsTmpfs && !(await isMountPoint(dir))) {
      const bytes = src.sizeLimit ? Math.ceil(parseQuantity(src.sizeLimit)) : undefined;
      await run('mount', ['-t', 'tmpfs', '-o', `mode=0777${bytes ? `,size=${bytes}` : ''}`, 'tmpfs', dir]);
    }
    // emptyDir is world-writable, as the kubelet makes it: any user of any container may write.
    await chmod(dir, 0o777);
    return undefined;
  }

  /** hostPath: allowed on this node, and the `type` check (creating what *OrCreate asks for). */
  private async checkHostPath(src: { path?: string; type?: string }): Promise<string | undefined> {
    if (!this.allowHostPath) return `hostPath volumes are forbidden on this node (KJOBS_ALLOW_HOST_PATH=false)`;
    const p = src.path ?? '';
    if (!path.isAbsolute(p)) return `hostPath "${p}" is not an absolute path`;
    const st = await stat(p).catch(() => undefined);
    switch (src.type ?? '') {
      case 'DirectoryOrCreate':
        if (!st) await mkdir(p, { recursive: true, mode: 0o755 });
        else if (!st.isDirectory()) return `hostPath type check failed: ${p} is not a directory`;
        return undefined;
      case 'Directory':
        return st?.isDirectory() ? undefined : `hostPath type check failed: ${p} is not a directory`;
      case 'FileOrCreate':
        if (!st) await writeFile(p, '', { mode: 0o644 });
        else if (!st.isFile()) return `hostPath type check failed: ${p} is not a file`;
        return undefined;
      case 'File':
        return st?.isFile() ? undefined : `hostPath type check failed: ${p} is not a file`;
      case 'Socket':
        return st?.isSocket() ? undefined : `hostPath type check failed: ${p} is not a socket file`;
      case 'CharDevice':
        return st?.isCharacterDevice() ? undefined : `hostPath type check failed: ${p} is not a character device`;
      case 'BlockDevice':
        return st?.isBlockDevice() ? undefined : `hostPath type check failed: ${p} is not a block device`;
      default:
        return undefined;
    }
  }

  /** The process runtime: `<pod dir>/<mountPath>` → the volume (or subPath), for every container. */
  private async linkMountPaths(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const base = podDir(this.rootDir, uid);
    const byName = new Map(podVolumes(pod).map((v) => [v.name, v]));
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    for (const c of containers) {
      for (const m of (Array.isArray(c.volumeMounts) ? c.volumeMounts : []) as { name?: string; mountPath?: string; subPath?: string }[]) {
        const v = byName.get(m.name ?? '');
        const kind = v && volumeKind(v);
        const rel = (m.mountPath ?? '').replace(/^\/+/, '');
        if (!v || !kind || !isSafeRelativePath(rel) || rel === 'volumes' || rel.startsWith('volumes/')) continue;
        if (m.subPath && !isSafeRelativePath(m.subPath)) continue;
        const source = kind === 'hostPath' ? String((v.hostPath as { path?: string }).path ?? '') : volumeDir(this.rootDir, uid, kind, v.name);
        const target = m.subPath ? path.join(source, m.subPath) : source;
        const link = path.join(base, rel);
        const st = await lstat(link).catch(() => undefined);
        if (st) continue;
        await mkdir(path.dirname(link), { recursive: true });
        await symlink(target, link);
      }
    }
  }

  /** The pod is gone: unmount its memory volumes and forget what was written (the pod directory goes with the pod). */
  async tearDown(uid: string): Promise<void> {
    const base = path.join(podDir(this.rootDir, uid), 'volumes');
    for (const dir of [...this.written.keys()]) if (dir.startsWith(base + path.sep)) this.written.delete(dir);
    const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
    const mine = mounts.split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(base + path.sep));
    for (const m of mine.reverse()) {
      await run('umount', [m]).catch((e: unknown) => this.o.log.warn({ err: e, path: m }, 'unmounting a memory volume failed'));
    }
    await rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A secret volume, or a projected one with a secret source. */
function holdsSecrets(v: VolumeSpec): boolean {
  if (v.secret) return true;
  const sources = (v.projected as { sources?: { secret?: unknown }[] } | undefined)?.sources;
  return Array.isArray(sources) && sources.some((src) => src?.secret != null);
}

async function isMountPoint(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').some((l) => l.split(' ')[1] === dir);
}
