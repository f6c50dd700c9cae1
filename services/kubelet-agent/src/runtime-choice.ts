import { accessSync, constants } from 'node:fs';
import { onPath } from './runtime/native-build.js';
import os from 'node:os';
import path from 'node:path';
import { ImageStore, loadRegistryHosts } from '@kjobs/oci';
import type { ContainerEngine, Logger } from './runtime/index.js';
import { OciEngine, Runc, cgroupMode } from './runtime/oci/index.js';

/** Which runtime a node runs pods with: `oci` (containers from images, runc), `process` (host programs), or `auto`. */
export type RuntimeChoice = 'oci' | 'process' | 'auto';

/** Options of `createEngine`. */
export interface EngineChoiceOptions {
  choice: RuntimeChoice;
  rootDir: string;
  /** A k3s-style registries.yaml with the node's mirrors (KJOBS_REGISTRIES_FILE). */
  registriesFile?: string;
  /** Processes per pod (KJOBS_POD_PIDS_LIMIT, default 4096; 0: none). */
  podPidsLimit?: number;
  /** Image-pull backoff (the kubelet's 10 s doubling to 300 s). */
  pullBackoff?: { initialMs: number; maxMs: number };
  log: Logger;
}

/**
 * Why the OCI runtime cannot run here, or undefined when it can: it needs root (namespaces,
 * mounts, cgroups), runc, `unshare` and `mount`, and writable cgroups.
 */
async function ociUnavailable(): Promise<{ why: string } | { runc: { binary: string; version: string } }> {
  if (process.platform !== 'linux') return { why: 'containers need Linux' };
  if (process.getuid?.() !== 0) return { why: 'containers need root (namespaces, mounts and cgroups)' };
  const runc = await Runc.find();
  if (!runc) return { why: 'runc was not found (install Debian\'s runc, or set KJOBS_RUNC)' };
  for (const bin of ['unshare', 'mount']) if (!onPath(bin)) return { why: `${bin} was not found` };
  const cgroupRoot = cgroupMode() === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
  try {
    accessSync(cgroupRoot, constants.W_OK);
  } catch {
    return { why: `${cgroupRoot} is not writable (a container needs --privileged and the host's cgroups)` };
  }
  return { runc };
}

/**
 * The engine for the node: the OCI engine when chosen (error when it cannot run) or, with
 * `auto`, when it can; else undefined (the process runtime).
 */
export async function createEngine(o: EngineChoiceOptions): Promise<ContainerEngine | undefined> {
  if (o.choice === 'process') return undefined;
  const probe = await ociUnavailable();
  if ('why' in probe) {
    if (o.choice === 'oci') throw new Error(`--runtime=oci: ${probe.why}`);
    o.log.info({ why: probe.why }, 'containers cannot run here: pods run as processes');
    return undefined;
  }
  const hosts = await loadRegistryHosts(o.registriesFile);
  const images = new ImageStore({ root: path.join(o.rootDir, 'images'), hosts, log: o.log });
  return OciEngine.create({
    rootDir: o.rootDir, runc: probe.runc, images, nodeMemoryBytes: os.totalmem(), logger: o.log,
    ...(o.podPidsLimit !== undefined ? { podPidsLimit: o.podPidsLimit } : {}),
    ...(o.pullBackoff ? { pullBackoff: o.pullBackoff } : {}),
  });
}
