import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPullPolicy } from '@kjobs/oci';
import type { RunExit } from '../container-process.js';
import type { ContainerEngine, PrepareInput, Prepared, RunControl } from '../engine.js';
import { DEFAULT_PATH, buildContainerEnv, expandArgv } from '../env.js';
import { logFile, podDir } from '../layout.js';
import type { Logger } from '../logger.js';
import type { ContainerInstance, ContainerRecord, PodRecord } from '../state.js';
import { cgroupIsEmpty, childCgroups, removeCgroupTree, removeEmptyCgroup, setPodPidsLimit, wasOomKilled } from './cgroups.js';
import { findImageExecutable, resolveRunUser } from './image-fs.js';
import { ImagePuller, type ImageSource, type PullBackoffOptions } from './image-puller.js';
import { containerResources } from './resources.js';
import { OCI_RUN_SCRIPT, OciLayout, ensurePodFiles } from './run-files.js';
import { terminationMessage } from '../termination-message.js';
import { Runc } from './runc.js';
import { buildRuntimeSpec, containerArgs, effectiveSecurityContext, mergeEnv } from './spec.js';
import { containerMounts } from './mounts.js';
import { pullCredentials } from './pull-secrets.js';

/** Options of an OciEngine; every optional field names its default. */
export interface OciEngineOptions {
  /** The node's root directory (the ProcessRuntime's rootDir). */
  rootDir: string;
  /** runc as found by `Runc.find()`. */
  runc: { binary: string; version: string };
  /** The node's image store (`new ImageStore({ root: <rootDir>/images, hosts })` of @kjobs/oci). */
  images: ImageSource;
  /** Node memory in bytes, for Burstable OOM scores. Default os.totalmem(). */
  nodeMemoryBytes: number;
  /** Processes per pod (the kubelet's podPidsLimit); 0 or less: no limit. Default 4096. */
  podPidsLimit?: number;
  /** Image-pull backoff. Default 10 s doubling to 300 s. */
  pullBackoff?: PullBackoffOptions;
  /** Where runc's state and bundles live. Default `/run/kjobs`. */
  stateBase?: string;
  logger: Logger;
}

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const idOf = (containerID: string) => containerID.slice(containerID.indexOf('://') + 3);

/**
 * The OCI engine: every run is a container from a pulled image, run by runc in the foreground
 * (`runc run --keep`) under the launcher like any run, so logs, exit journals, signals and
 * re-attachment after an agent restart work as for processes. Its root file system is an overlay
 * of the image's unpacked layers (shared by every container of the node) and a writable layer of
 * its own, mounted in a private mount namespace that ends with the run. After a run: the OOM
 * check on the kept cgroup, the termination message, `runc delete`.
 */
export class OciEngine implements ContainerEngine {
  readonly runtimeVersion: string;
  readonly layout: OciLayout;
  private readonly runc: Runc;
  private readonly puller: ImagePuller;
  private readonly pidsLimited = new Set<string>();

  private constructor(private readonly o: OciEngineOptions) {
    this.layout = new OciLayout(o.rootDir, o.stateBase);
    this.runc = new Runc(o.runc.binary, o.runc.version, this.layout.runcRoot);
    this.puller = new ImagePuller(o.images, o.pullBackoff);
    this.runtimeVersion = `runc://${o.runc.version}`;
  }

  /** Make the node's state directories and the run script; throws when they cannot be written. */
  static create(o: OciEngineOptions): OciEngine {
    const e = new OciEngine(o);
    mkdirSync(e.layout.runcRoot, { recursive: true, mode: 0o700 });
    mkdirSync(e.layout.bundlesDir, { recursive: true, mode: 0o700 });
    writeFileSync(e.layout.wrapper, OCI_RUN_SCRIPT, { mode: 0o755 });
    return e;
  }

  /**
   * Does: 1. the image by pull policy (ImagePuller); 2. the environment (image env, then the
   * kubelet's, then the container's); 3. argv by Kubernetes' command/args rules; 4. the user
   * (runAsNonRoot refused for root); 5. the program exists in the image, else StartError;
   * 6. the pod's files, the run's writable layer, the pod's pids limit; 7. the bundle.
   */
  async prepare(i: PrepareInput): Promise<Prepared> {
    const { record: r, spec, rec } = i;
    const image = spec.image ?? '';
    const got = await this.puller.ensure({
      podUid: r.uid, image, policy: spec.imagePullPolicy ?? defaultPullPolicy(image),
      waitingReason: rec.waiting?.reason, now: () => Date.now(), event: i.event,
      pullSecrets: pullCredentials(r.pod, image, i.env.configData),
    });
    if ('waiting' in got) return { kind: 'waiting', ...got.waiting, quiet: true };
    const img = got.image;
    const built = buildContainerEnv(i.env);
    if (!built.ok) return { kind: 'waiting', reason: 'CreateContainerConfigError', message: built.message };
    const own = new Set((spec.env ?? []).map((e) => e.name));
    const kubeletEnv = { ...built.env };
    // The process runtime's PATH and HOME stand in for an image: here the image (and runc) give them.
    for (const k of ['PATH', 'HOME']) if (!own.has(k)) delete kubeletEnv[k];
    // On the pod network a program may listen on every address, as in Kubernetes: no POD_IP to bind to.
    if (r.netns && !own.has('POD_IP')) delete kubeletEnv.POD_IP;
    const env = mergeEnv(img.config.Env, kubeletEnv);
    if (!env.some((kv) => kv.startsWith('PATH='))) env.unshift(`PATH=${DEFAULT_PATH}`);
    const args = containerArgs({ command: spec.command && expandArgv(spec.command, built.env), args: spec.args && expandArgv(spec.args, built.env) }, img.config);
    const podRef = `"${r.name}_${r.namespace}(${r.uid})"`;
    if (!args.length) return { kind: 'waiting', reason: 'CreateContainerError', message: `failed to generate container spec: no command specified (pod: ${podRef}, container: ${spec.name})` };
    const sc = effectiveSecurityContext(r.pod, spec);
    const user = resolveRunUser(img.layers, img.config.User, sc);
    if ('error' in user) return { kind: 'waiting', reason: 'CreateContainerConfigError', message: user.error };
    const nonRoot = checkNonRoot(sc, img.config.User, user.uid, podRef, spec.name);
    if (nonRoot) return { kind: 'waiting', reason: 'CreateContainerConfigError', message: nonRoot };
    const volumes = containerMounts(this.o.rootDir, r.pod, spec);
    if ('error' in volumes) return { kind: 'waiting', reason: 'CreateContainerConfigError', message: volumes.error };
    const cwd = spec.workingDir || img.config.WorkingDir || '/';
    const pathVar = env.find((kv) => kv.startsWith('PATH='))!.slice(5);
    const program = args[0]!;
    if (!findImageExecutable(img.layers, program, pathVar, cwd)) {
      const why = program.includes('/') ? `stat ${program}: no such file or directory` : 'executable file not found in $PATH';
      return { kind: 'start-error', imageID: img.repoDigest, message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${program}": ${why}: unknown` };
    }
    const id = this.layout.containerId(r.uid, spec.name, i.attempt);
    const hostname = (r.pod.spec.hostname ?? r.name).slice(0, 63);
    const files = ensurePodFiles(this.layout, r.uid, r.podIP ?? '127.0.0.1', hostname);
    const run = this.layout.runDir(r.uid, spec.name, i.attempt);
    for (const d of ['upper', 'work', 'rootfs']) mkdirSync(path.join(run, d), { recursive: true });
    const termFile = path.join(run, 'termination-log');
    writeFileSync(termFile, '');
    // Any user of the container may write its termination message.
    chmodSync(termFile, 0o666);
    this.limitPodPids(r.uid);
    const config = buildRuntimeSpec({
      pod: r.pod, container: spec, args, env, cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, hostname,
      rootfs: path.join(run, 'rootfs'), hostsFile: files.hosts, hostnameFile: files.hostname, resolvConfFile: files.resolvConf,
      volumeMounts: volumes.mounts as unknown as Record<string, unknown>[],
      terminationLog: { hostPath: termFile, containerPath: spec.terminationMessagePath || '/dev/termination-log' },
      cgroupsPath: this.layout.containerCgroup(r.uid, id),
      ...(r.netns ? { netnsPath: r.netns } : {}),
      resources: containerResources(r.pod, spec, this.o.nodeMemoryBytes),
    });
    const bundle = this.layout.bundle(id);
    mkdirSync(bundle, { recursive: true });
    writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
    const { lowerBase, lowers } = overlayLowers(img.layers, run);
    const options = `lowerdir=${lowers.join(':')},upperdir=${path.join(run, 'upper')},workdir=${path.join(run, 'work')}`;
    const rootfs = path.join(run, 'rootfs');
    const runc = this.runc.runArgv(bundle, id) as [string, ...string[]];
    // The native launcher mounts the overlay itself (one exec per run); the sh shim path needs unshare, sh and mount.
    const argv: [string, ...string[]] = ['unshare', '-m', '--propagation', 'private', '/bin/sh', this.layout.wrapper, lowerBase, options, rootfs, ...runc];
    const launcherArgv: [string, ...string[]] = ['kjobs:overlay', lowerBase, options, rootfs, ...runc];
    return { kind: 'run', argv, launcherArgv, env: { PATH: HOST_PATH }, cwd: podDir(this.o.rootDir, r.uid), imageID: img.repoDigest, containerID: `runc://${id}`, probeEnv: { PATH: HOST_PATH } };
  }

  control(inst: ContainerInstance): RunControl {
    if (!inst.containerID) return {};
    const id = idOf(inst.containerID);
    return { forceKill: async () => void (await this.runc.kill(id, 'KILL')), execPrefix: this.runc.execArgv(id), whenRunning: (ms) => this.runc.whenCreated(id, ms) };
  }

  /** OOMKilled from the kept cgroup, the termination message, then the container and its bundle are deleted. */
  async finishRun(r: PodRecord, rec: ContainerRecord, inst: ContainerInstance, exit: RunExit): Promise<{ reason?: string; message?: string }> {
    if (!inst.containerID) return {};
    const id = idOf(inst.containerID);
    const out: { reason?: string; message?: string } = {};
    if (await oomKilled(this.layout.containerCgroup(r.uid, id), exit.exitCode)) out.reason = 'OOMKilled';
    const spec = [...(r.pod.spec.initContainers ?? []), ...r.pod.spec.containers].find((c) => c.name === rec.name);
    const msg = terminationMessage(path.join(this.layout.runDir(r.uid, rec.name, inst.attempt), 'termination-log'), logFile(this.o.rootDir, r.uid, rec.name, inst.attempt), spec?.terminationMessagePolicy, exit.exitCode);
    if (msg) out.message = msg;
    await this.deleteEnded(id, this.layout.containerCgroup(r.uid, id));
    await rm(this.layout.bundle(id), { recursive: true, force: true });
    return out;
  }

  /**
   * Delete a run's container once runc has exited. When its cgroup holds no process (the
   * container is gone), `runc delete` would only remove the kept cgroup and runc's state
   * directory: that is done here without another runc process (an exec costs 3–5 ms of CPU per
   * pod on these machines). Anything still alive goes through `runc delete --force`.
   */
  private async deleteEnded(id: string, cgroupsPath: string): Promise<void> {
    if (!cgroupIsEmpty(cgroupsPath)) return this.runc.delete(id);
    if (removeCgroupTree(cgroupsPath).length) return this.runc.delete(id);
    await rm(path.join(this.layout.runcRoot, id), { recursive: true, force: true });
  }

  async removePod(r: PodRecord): Promise<void> {
    for (const c of Object.values(r.containers)) {
      for (const inst of [c.current, c.previous]) {
        if (!inst?.containerID) continue;
        const id = idOf(inst.containerID);
        await this.runc.delete(id);
        await rm(this.layout.bundle(id), { recursive: true, force: true });
      }
    }
    const left = removeCgroupTree(this.layout.podCgroup(r.uid));
    if (left.length) this.o.logger.warn({ uid: r.uid, left }, 'pod cgroups still busy');
    this.puller.forgetPod(r.uid);
    this.pidsLimited.delete(r.uid);
  }

  async sweep(keep: { containerIDs: Set<string>; podUids: Set<string> }): Promise<void> {
    for (const id of await this.runc.list()) {
      if (keep.containerIDs.has(`runc://${id}`)) continue;
      this.o.logger.info({ id }, 'deleting a container no pod record knows');
      await this.runc.delete(id);
    }
    for (const b of await readdir(this.layout.bundlesDir).catch(() => [] as string[])) {
      if (!keep.containerIDs.has(`runc://${b}`)) await rm(this.layout.bundle(b), { recursive: true, force: true });
    }
    for (const name of childCgroups(this.layout.nodeCgroup)) {
      if (name.startsWith('pod') && !keep.podUids.has(name.slice(3))) removeCgroupTree(`${this.layout.nodeCgroup}/${name}`);
    }
  }

  /** After every pod was removed: the node's cgroups and state directory go. */
  async shutdown(): Promise<void> {
    const left = removeCgroupTree(this.layout.nodeCgroup);
    if (left.length) this.o.logger.warn({ left }, 'node cgroups still busy at shutdown');
    // The shared parent goes with the last node using it (rmdir fails while another node has cgroups there).
    removeEmptyCgroup('/kjobs');
    if (!(await this.runc.list()).length) await rm(this.layout.stateDir, { recursive: true, force: true });
  }

  private limitPodPids(uid: string): void {
    const limit = this.o.podPidsLimit ?? 4096;
    if (limit <= 0 || this.pidsLimited.has(uid)) return;
    try {
      setPodPidsLimit(this.layout.podCgroup(uid), limit);
      this.pidsLimited.add(uid);
    } catch (err) {
      this.o.logger.warn({ uid, err: (err as Error).message }, 'cannot set the pod pids limit');
    }
  }
}

/**
 * Overlay lower directories, top layer first, relative to their common parent (the mount runs in
 * that directory: one page of mount options holds ~60 layers that way). An image without layers
 * gets an empty lower directory.
 */
function overlayLowers(layers: readonly string[], runDir: string): { lowerBase: string; lowers: string[] } {
  if (!layers.length) {
    const empty = path.join(runDir, 'empty');
    mkdirSync(empty, { recursive: true });
    return { lowerBase: runDir, lowers: ['empty'] };
  }
  const base = path.dirname(layers[0]!);
  if (layers.every((l) => path.dirname(l) === base)) return { lowerBase: base, lowers: [...layers].reverse().map((l) => path.basename(l)) };
  return { lowerBase: '/', lowers: [...layers].reverse() };
}

/**
 * The OOM killer's count in the run's kept cgroup. The kernel sends the victim SIGKILL before it
 * counts the kill, so a run that ended with 137 and no count yet is looked at again for 200 ms.
 */
async function oomKilled(cgroupsPath: string, exitCode: number): Promise<boolean> {
  for (let waited = 0; ; waited += 20) {
    if (wasOomKilled(cgroupsPath)) return true;
    if (exitCode !== 137 || waited >= 200) return false;
    await sleep(20);
  }
}

/** runAsNonRoot as the kubelet checks it (verifyRunAsNonRoot); the error message, or undefined when fine. */
export function checkNonRoot(sc: { runAsNonRoot?: boolean; runAsUser?: number }, imageUser: string | undefined, uid: number, podRef: string, container: string): string | undefined {
  if (sc.runAsNonRoot !== true) return undefined;
  if (sc.runAsUser !== undefined) return sc.runAsUser === 0 ? `container's runAsUser breaks non-root policy (pod: ${podRef}, container: ${container})` : undefined;
  const userPart = (imageUser ?? '').split(':')[0] ?? '';
  if (userPart && !/^\d+$/.test(userPart)) return `container has runAsNonRoot and image has non-numeric user (${userPart}), cannot verify user is non-root (pod: ${podRef}, container: ${container})`;
  return uid === 0 ? `container has runAsNonRoot and image will run as root (pod: ${podRef}, container: ${container})` : undefined;
}
