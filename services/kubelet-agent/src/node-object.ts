import os from 'node:os';
import { type Node, type NodeCondition, rfc3339 } from '@kjobs/api';

/** What the agent reports about its node. */
export interface NodeFacts {
  name: string;
  cpu: string;
  memory: string;
  pods: string;
  labels?: Record<string, string>;
  /** Annotations the agent keeps on its Node (e.g. kjobs.io/pod-network). */
  annotations?: Record<string, string>;
  hostIP: string;
  /** `status.nodeInfo.containerRuntimeVersion` (`runc://1.1.5`, `kjobs-process://0.1.0`). Default the process runtime's. */
  runtimeVersion?: string;
}


/** Node conditions of a healthy agent (Ready plus the pressure conditions, all fine). */
export function healthyConditions(now: Date, prev?: NodeCondition[]): NodeCondition[] {
  const mk = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const old = prev?.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: rfc3339(now), lastTransitionTime: old && old.status === status ? old.lastTransitionTime : rfc3339(now) };
  };
  return [
    mk('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    mk('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    mk('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    mk('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The Node object an agent registers. */
export function nodeObject(f: NodeFacts, now: Date, prev?: Node): Node {
  const resources = { cpu: f.cpu, memory: f.memory, pods: f.pods, 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...(prev?.metadata ?? {}),
      name: f.name,
      labels: {
        ...(prev?.metadata.labels ?? {}),
        'kubernetes.io/hostname': f.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        ...(f.labels ?? {}),
      },
      ...(f.annotations ? { annotations: { ...(prev?.metadata.annotations ?? {}), ...f.annotations } } : {}),
    },
    spec: {
      ...(prev?.spec ?? {}),
      // A returning agent clears the unreachable taints the node-lifecycle controller set.
      taints: (prev?.spec?.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/unreachable' && t.key !== 'node.kubernetes.io/not-ready'),
    },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: healthyConditions(now, prev?.status?.conditions),
      addresses: [{ type: 'InternalIP', address: f.hostIP }, { type: 'Hostname', address: f.name }],
      nodeInfo: {
        machineID: '', systemUUID: '', bootID: '',
        kernelVersion: os.release(), osImage: `${os.type()} ${os.release()}`, operatingSystem: 'linux',
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
        containerRuntimeVersion: f.runtimeVersion ?? 'kjobs-process://0.1.0', kubeletVersion: 'v1.32.0-kjobs', kubeProxyVersion: '',
      },
    },
  };
}

/** Default capacity: this machine's cores, memory, and 110 pods. */
export function defaultCapacity(): { cpu: string; memory: string; pods: string } {
  return { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110' };
}
