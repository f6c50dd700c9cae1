import { mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from '@kjobs/api';
import { volumeDir } from '../pod-volumes.js';
import { isSafeRelativePath, podVolumes, volumeKind, type VolumeKind } from '../volumes.js';

/** One OCI bind mount (config.json `mounts[]`). */
export interface OciMount {
  destination: string;
  type: 'bind';
  source: string;
  options: string[];
}

/** Volumes Kubernetes always mounts read-only (their content is the API's, not the container's). */
const ALWAYS_READ_ONLY: ReadonlySet<VolumeKind> = new Set(['configMap', 'secret', 'downwardAPI', 'projected']);

type VolumeMount = { name?: string; mountPath?: string; subPath?: string; readOnly?: boolean };

/**
 * A container's `volumeMounts` as bind mounts from the pod's volume directories (pod-volumes.ts
 * made them before the container starts): configMap, secret, downwardAPI and projected volumes
 * read-only always, others read-only with `readOnly: true`. `subPath` binds that path inside the
 * volume — for an atomically written volume the file it resolves to now (so, as in Kubernetes, a
 * subPath mount does not follow updates); a missing subPath of an emptyDir or hostPath is made as
 * a directory, as the kubelet does. Returns the kubelet's CreateContainerConfigError text when a
 * mount cannot be made. Sorted parents first.
 */
export function containerMounts(rootDir: string, pod: Pod, container: Container): { mounts: OciMount[] } | { error: string } {
  const uid = pod.metadata.uid ?? '';
  const byName = new Map(podVolumes(pod).map((v) => [v.name, v]));
  const mounts: OciMount[] = [];
  for (const m of (Array.isArray(container.volumeMounts) ? container.volumeMounts : []) as VolumeMount[]) {
    const v = byName.get(m.name ?? '');
    const kind = v && volumeKind(v);
    if (!v || !kind) return { error: `cannot find volume "${m.name ?? ''}" to mount into container "${container.name}"` };
    const dest = m.mountPath ?? '';
    if (!path.isAbsolute(dest)) return { error: `mount path "${dest}" of volume "${v.name}" is not absolute` };
    const root = kind === 'hostPath' ? String((v.hostPath as { path?: string }).path ?? '') : volumeDir(rootDir, uid, kind, v.name);
    let source = root;
    if (m.subPath) {
      if (!isSafeRelativePath(m.subPath)) return { error: `subPath "${m.subPath}" of volume "${v.name}" must be a relative path without ".."` };
      const wanted = path.join(root, m.subPath);
      if (!exists(wanted) && (kind === 'emptyDir' || kind === 'hostPath')) mkdirSync(wanted, { recursive: true, mode: 0o777 });
      if (!exists(wanted)) return { error: `failed to prepare subPath for volumeMount "${v.name}" of container "${container.name}": ${wanted} does not exist` };
      source = realpathSync(wanted);
      const realRoot = realpathSync(root);
      // A symlink inside the volume must not lead out of it (the kubelet's subPath safety check).
      if (source !== realRoot && !source.startsWith(realRoot + path.sep)) {
        return { error: `failed to prepare subPath for volumeMount "${v.name}" of container "${container.name}": subPath leads outside the volume` };
      }
    }
    const ro = m.readOnly === true || ALWAYS_READ_ONLY.has(kind);
    mounts.push({ destination: dest, type: 'bind', source, options: ['rbind', 'rprivate', ro ? 'ro' : 'rw'] });
  }
  mounts.sort((a, b) => depth(a.destination) - depth(b.destination));
  return { mounts };
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
