/**
 * The floors the benchmarks compare kjobs with: the same work without kjobs, measured in the same
 * run. `true` processes spawned by Node, and `runc run` of a `true` container.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inFlight } from './util.js';

/** The floor: `total` `true` processes spawned by this process, `concurrency` alive at a time. */
export async function spawnFloor(total: number, concurrency: number): Promise<{ wallMs: number; spawnMs: number[]; exitMs: number[] }> {
  const spawnMs: number[] = [];
  const exitMs: number[] = [];
  const wallMs = await inFlight(total, concurrency, () => new Promise<void>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('true', [], { stdio: 'ignore' });
    child.once('spawn', () => spawnMs.push(performance.now() - t0));
    child.once('error', reject);
    child.once('exit', (code) => {
      exitMs.push(performance.now() - t0);
      if (code === 0) resolve();
      else reject(new Error(`true exited ${code}`));
    });
  }));
  return { wallMs, spawnMs, exitMs };
}

/** A pod network for floor runs: a namespace per run id, set up and torn down as a pod's. */
export interface FloorNetwork {
  setUp(id: string): Promise<{ netnsPath: string }>;
  tearDown(id: string): Promise<void>;
}

interface OciFloorConfig { linux: { namespaces: { type: string; path?: string }[] } & Record<string, unknown>; [k: string]: unknown }

/**
 * The OCI floor: `runc run` of a `true` container from Node, as the kubelet-agent's runs do minus
 * everything kjobs adds (image store, overlay, the launcher, the API). One read-only busybox root
 * file system shared by every run, a cgroup per run, its own runc state directory.
 */
export class RuncFloor {
  private next = 0;
  private constructor(private readonly dir: string, private readonly config: OciFloorConfig) {}

  static async create(): Promise<RuncFloor> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-runc-floor-'));
    const rootfs = path.join(dir, 'rootfs');
    mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    for (const d of ['proc', 'dev', 'sys', 'tmp', 'etc']) mkdirSync(path.join(rootfs, d), { recursive: true });
    writeFileSync(path.join(rootfs, 'bin', 'busybox'), readFileSync('/bin/busybox'), { mode: 0o755 });
    symlinkSync('busybox', path.join(rootfs, 'bin', 'true'));
    const config: OciFloorConfig = {
      ociVersion: '1.0.2',
      process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['true'], env: ['PATH=/bin'], cwd: '/', noNewPrivileges: true, capabilities: { bounding: [], effective: [], permitted: [] } },
      root: { path: rootfs, readonly: true },
      hostname: 'floor',
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] }],
      linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }], resources: { devices: [{ allow: false, access: 'rwm' }] } },
    };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    return new RuncFloor(dir, config);
  }

  /**
   * `total` runs, `concurrency` at a time: each `runc run --bundle … <id>` until it exits. With
   * `network`, each run first gets a network namespace of its own from it (as a pod's network is
   * set up), runs in it (its own bundle: the config names the namespace), and gives it back after.
   */
  async run(total: number, concurrency: number, network?: FloorNetwork): Promise<{ wallMs: number; spawnMs: number[]; exitMs: number[] }> {
    const spawnMs: number[] = [];
    const exitMs: number[] = [];
    const wallMs = await inFlight(total, concurrency, async () => {
      const id = `floor-${process.pid}-${this.next++}`;
      const t0 = performance.now();
      let bundle = this.dir;
      if (network) {
        const { netnsPath } = await network.setUp(id);
        bundle = path.join(this.dir, 'runs', id);
        mkdirSync(bundle, { recursive: true });
        const { linux } = this.config;
        writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({
          ...this.config, root: { path: path.join(this.dir, 'rootfs'), readonly: true },
          linux: { ...linux, namespaces: [...linux.namespaces, { type: 'network', path: netnsPath }] },
        }));
      }
      try {
        await new Promise<void>((resolve, reject) => {
          const child = spawn('runc', ['--root', path.join(this.dir, 'state'), 'run', '--bundle', bundle, id], { stdio: 'ignore' });
          child.once('spawn', () => spawnMs.push(performance.now() - t0));
          child.once('error', reject);
          child.once('exit', (code) => {
            exitMs.push(performance.now() - t0);
            if (code === 0) resolve();
            else reject(new Error(`runc run exited ${code}`));
          });
        });
      } finally {
        if (network) {
          await network.tearDown(id);
          rmSync(bundle, { recursive: true, force: true });
        }
      }
    });
    return { wallMs, spawnMs, exitMs };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
    // runc removes each run's cgroup (/sys/fs/cgroup/*/<id>, no cgroupsPath) when the run ends.
  }
}
