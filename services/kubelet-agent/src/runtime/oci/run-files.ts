import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { podDir } from '../layout.js';
import { hostsFileContent } from './spec.js';

/**
 * Where an OCI node keeps what its containers need, beside the process runtime's layout
 * (layout.ts):
 * ```
 * /run/kjobs/<node key>/runc/                       runc's state (--root): tmpfs, one per node
 * /run/kjobs/<node key>/bundles/<id>/config.json    each run's OCI bundle
 * /run/kjobs/<node key>/kjobs-oci-run.sh            mounts a run's overlay, then execs runc
 * <rootDir>/images/                                 the node's image store (@kjobs/oci)
 * <rootDir>/pods/<uid>/etc/{hosts,hostname,resolv.conf}   the pod's files, bind-mounted into each container
 * <rootDir>/pods/<uid>/runs/<container>.<n>/{upper,work,rootfs,termination-log}   run n's writable layer
 * cgroups: /kjobs/<node key>/pod<uid>/<id>          (the pod level holds the pids limit)
 * ```
 * The node key is a hash of the node's root directory, so clusters and nodes sharing a machine
 * never see each other's containers or cgroups.
 */
export class OciLayout {
  readonly key: string;
  readonly stateDir: string;

  constructor(readonly rootDir: string, stateBase = '/run/kjobs') {
    this.key = createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 12);
    this.stateDir = path.join(stateBase, this.key);
  }

  get runcRoot(): string {
    return path.join(this.stateDir, 'runc');
  }
  get bundlesDir(): string {
    return path.join(this.stateDir, 'bundles');
  }
  get wrapper(): string {
    return path.join(this.stateDir, 'kjobs-oci-run.sh');
  }
  get imagesDir(): string {
    return path.join(this.rootDir, 'images');
  }
  bundle(id: string): string {
    return path.join(this.bundlesDir, id);
  }
  /** The cgroup of the node's containers (relative to every hierarchy's root). */
  get nodeCgroup(): string {
    return `/kjobs/${this.key}`;
  }
  podCgroup(uid: string): string {
    return `${this.nodeCgroup}/pod${uid}`;
  }
  containerCgroup(uid: string, id: string): string {
    return `${this.podCgroup(uid)}/${id}`;
  }
  podEtc(uid: string): string {
    return path.join(podDir(this.rootDir, uid), 'etc');
  }
  runDir(uid: string, container: string, attempt: number): string {
    return path.join(podDir(this.rootDir, uid), 'runs', `${container}.${attempt}`);
  }
  /** A run's container id: 64 hex digits like containerd's, the same for the same node, pod, container and attempt. */
  containerId(uid: string, container: string, attempt: number): string {
    return createHash('sha256').update(`${this.key}/${uid}/${container}/${attempt}`).digest('hex');
  }
}

/**
 * The script a run starts as (under `unshare -m --propagation private`): mount the run's overlay
 * in that private mount namespace, then exec runc. The mount lives exactly as long as the
 * namespace — until runc and the container are gone — so no mount outlives a run, whatever
 * crashes. Arguments: <layers dir> <overlay options> <mount point> <runc argv…>.
 */
export const OCI_RUN_SCRIPT = `# kjobs: mount one run's root file system, then run its container (see run-files.ts)
cd "$1" && mount -t overlay overlay -o "$2" "$3" || { echo "kjobs: cannot mount the container's root file system" >&2; exit 125; }
shift 3
cd /
exec "$@"
`;

/** Write the pod's /etc/hosts, /etc/hostname and /etc/resolv.conf once (kubelet's managed files). */
export function ensurePodFiles(layout: OciLayout, uid: string, podIP: string, hostname: string): { hosts: string; hostname: string; resolvConf: string } {
  const dir = layout.podEtc(uid);
  const files = { hosts: path.join(dir, 'hosts'), hostname: path.join(dir, 'hostname'), resolvConf: path.join(dir, 'resolv.conf') };
  if (existsSync(files.resolvConf)) return files;
  mkdirSync(dir, { recursive: true });
  writeFileSync(files.hosts, hostsFileContent(podIP, hostname));
  writeFileSync(files.hostname, `${hostname}\n`);
  let resolv = '';
  try {
    resolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // no resolver configured on the node: an empty file, as the kubelet writes
  }
  writeFileSync(files.resolvConf, resolv);
  return files;
}
