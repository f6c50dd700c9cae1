import type { Launcher } from './launcher.js';
import type { IpAllocator } from './ip-allocator.js';
import type { PodConfigData } from './config-data.js';
import type { ContainerEngine } from './engine.js';
import type { PodNetwork } from './pod-network.js';
import type { CompiledOptions, RuntimeEvent } from './runtime-options.js';
import type { StateJournal } from './state-journal.js';
import type { ContainerRecord } from './state.js';

/** What a PodWorker needs from its runtime. */
export interface WorkerContext {
  opts: CompiledOptions;
  ipam: IpAllocator;
  /** The pod network: each pod its own namespace and address (hostNetwork pods keep the node's). None: loopback IPs from `ipam`. */
  network?: PodNetwork;
  /** What turns a container into a run: host processes or OCI containers. */
  engine: ContainerEngine;
  /** Where records are saved. */
  journal: StateJournal;
  /** How runs start: the native launcher when there is one, and the sh shim's path (the fallback). */
  starter(): Promise<{ shimPath: string; launcher?: Launcher }>;
  isClosed(): boolean;
  emitChange(uid: string): void;
  emitEvent(e: RuntimeEvent): void;
  /** The pod's ConfigMaps and Secrets as the agent last read them (env sources). */
  configData?(uid: string): PodConfigData | undefined;
}

/** Emit a Kubernetes Event about the pod (about one of its containers when `c` is given). */
export type PodEventFn = (type: RuntimeEvent['type'], reason: string, message: string, c?: ContainerRecord) => void;
