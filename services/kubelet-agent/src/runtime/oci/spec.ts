import type { Container, Pod } from '@kjobs/api';
import type { ContainerResources } from './resources.js';

/**
 * The OCI runtime spec (config.json) of one container run, built from the pod, the container and
 * the image (pure: table-tested in spec.test.ts). What it gives, as containerd's CRI plugin does
 * for the kubelet:
 * - new PID, mount, UTS and IPC namespaces; the node's network (kjobs has no pod network yet:
 *   each pod is told its own loopback IP in POD_IP instead);
 * - Docker's default capability set, no_new_privs unless escalation is allowed, privileged mode,
 *   capabilities add/drop, a read-only root file system;
 * - the pod's /etc/hosts, /etc/hostname and /etc/resolv.conf and the run's termination-message
 *   file bind-mounted in;
 * - cgroup limits (resources.ts) under an explicit cgroupsPath, so runc never nests the container
 *   under the agent's own cgroup.
 */

/** Docker's default capabilities (moby oci/caps/defaults.go), the set containerd gives pods too. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability of Linux 5.x/6.x: what a privileged container gets. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Paths hidden from an unprivileged container (containerd's defaults). */
const MASKED_PATHS = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The container's security settings, the container's securityContext over the pod's. */
export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

/** The merged securityContext (container fields win over the pod's, as the kubelet merges them). */
export function effectiveSecurityContext(pod: Pod, c: Container): SecurityContext & { supplementalGroups: number[] } {
  const podSc = (pod.spec.securityContext ?? {}) as SecurityContext & { supplementalGroups?: number[]; fsGroup?: number };
  const sc = (c.securityContext ?? {}) as SecurityContext;
  const groups = [...(podSc.supplementalGroups ?? []), ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : [])];
  const pick = <K extends keyof SecurityContext>(k: K) => (sc[k] !== undefined ? sc[k] : podSc[k]);
  const out: SecurityContext & { supplementalGroups: number[] } = { supplementalGroups: groups };
  for (const k of ['runAsUser', 'runAsGroup', 'runAsNonRoot'] as const) {
    const v = pick(k);
    if (v !== undefined && v !== null) (out as unknown as Record<string, unknown>)[k] = v;
  }
  for (const k of ['privileged', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'capabilities'] as const) {
    const v = sc[k];
    if (v !== undefined && v !== null) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** `CAP_X` from Kubernetes' `X` (or `CAP_X`), upper-cased. */
export function capName(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

/** The capability set: all when privileged, else Docker's defaults minus drop (ALL drops every one) plus add. */
export function capabilitySet(sc: SecurityContext): string[] {
  if (sc.privileged) return [...ALL_CAPABILITIES];
  const drop = (sc.capabilities?.drop ?? []).map(capName);
  let caps = drop.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  const add = (sc.capabilities?.add ?? []).map(capName);
  caps = add.includes('CAP_ALL') ? [...ALL_CAPABILITIES] : [...new Set([...caps, ...add])];
  return caps;
}

/** What a run needs beside the pod and container. */
export interface RunSpecInput {
  pod: Pod;
  container: Container;
  /** argv (command/args resolved against the image's Entrypoint/Cmd, $(VAR) expanded). */
  args: string[];
  /** `NAME=value` in order: image env, then the kubelet's, then the container's. */
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  hostname: string;
  /** The run's root file system (the overlay's mount point). */
  rootfs: string;
  /** Files of the pod bind-mounted into the container. */
  hostsFile: string;
  hostnameFile: string;
  resolvConfFile: string;
  /** The run's termination-message file and where it appears in the container. */
  terminationLog?: { hostPath: string; containerPath: string };
  /** The container's volume mounts (oci/mounts.ts), after the pod's own files. */
  volumeMounts?: Record<string, unknown>[];
  cgroupsPath: string;
  resources: ContainerResources;
  /** The pod's network namespace on the pod network (`/run/netns/…`), joined by the container; unset: the node's network. */
  netnsPath?: string;
}

/** The OCI runtime spec for one run. */
export function buildRuntimeSpec(i: RunSpecInput): Record<string, unknown> {
  const sc = effectiveSecurityContext(i.pod, i.container);
  const caps = capabilitySet(sc);
  const escalation = sc.privileged === true || sc.allowPrivilegeEscalation === true || caps.includes('CAP_SYS_ADMIN');
  const bind = (source: string, destination: string, ro = false) => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate', ro ? 'ro' : 'rw'] });
  const mounts: Record<string, unknown>[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // The node's network namespace is shared, so sysfs is bound from the host (runc refuses a new
    // sysfs mount without a network namespace of its own).
    { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', sc.privileged ? 'rw' : 'ro'] },
    bind(i.hostsFile, '/etc/hosts'),
    bind(i.hostnameFile, '/etc/hostname'),
    bind(i.resolvConfFile, '/etc/resolv.conf'),
  ];
  if (i.terminationLog) mounts.push(bind(i.terminationLog.hostPath, i.terminationLog.containerPath));
  mounts.push(...(i.volumeMounts ?? []));
  const capSet = { bounding: caps, effective: caps, permitted: caps };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: i.uid, gid: i.gid, ...(i.additionalGids.length ? { additionalGids: i.additionalGids } : {}) },
      args: i.args,
      env: i.env,
      cwd: i.cwd,
      capabilities: capSet,
      noNewPrivileges: !escalation,
      oomScoreAdj: i.resources.oomScoreAdj,
    },
    root: { path: i.rootfs, readonly: sc.readOnlyRootFilesystem === true },
    hostname: i.hostname,
    mounts,
    linux: {
      cgroupsPath: i.cgroupsPath,
      resources: {
        devices: [{ allow: sc.privileged === true, access: 'rwm' }],
        ...i.resources.linux,
      },
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, ...(i.netnsPath ? [{ type: 'network', path: i.netnsPath }] : [])],
      ...(sc.privileged ? {} : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    },
  };
}

/**
 * argv by Kubernetes' rules: `command` replaces the image's Entrypoint and drops its Cmd; `args`
 * replace the Cmd. Empty when nothing is given anywhere.
 */
export function containerArgs(c: Pick<Container, 'command' | 'args'>, image: { Entrypoint?: string[] | null; Cmd?: string[] | null }): string[] {
  if (c.command?.length) return [...c.command, ...(c.args ?? [])];
  return [...(image.Entrypoint ?? []), ...(c.args?.length ? c.args : (image.Cmd ?? []))];
}

/** `NAME=value` list: image env first, then `extra` (later names replace earlier ones, keeping the first position). */
export function mergeEnv(imageEnv: string[] | undefined, extra: Record<string, string>): string[] {
  const m = new Map<string, string>();
  for (const kv of imageEnv ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return [...m].map(([k, v]) => `${k}=${v}`);
}

/** /etc/hosts as the kubelet writes it for a pod on the node's network: localhost and the pod's own name. */
export function hostsFileContent(podIP: string, hostname: string): string {
  return `# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${podIP}\t${hostname}\n`;
}
