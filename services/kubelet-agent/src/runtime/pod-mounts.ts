import type { Pod } from '@kjobs/api';
import type { PodConfigData } from './config-data.js';
import { PodVolumes, type VolumeOptions } from './pod-volumes.js';
import type { CompiledOptions, RuntimeEvent } from './runtime-options.js';

/**
 * The runtime's side of pod volumes: the ConfigMaps and Secrets last given for each pod (env
 * sources and volumes read them), setting the volumes up with one Warning `FailedMount` event per
 * new message as the kubelet words it, and tearing them down.
 */
export class PodMounts {
  private readonly volumes: PodVolumes;
  private readonly configData = new Map<string, PodConfigData>();
  private readonly mountFailures = new Map<string, string>();

  constructor(private readonly opts: CompiledOptions, volumes: VolumeOptions, private readonly emitEvent: (e: RuntimeEvent) => void) {
    this.volumes = new PodVolumes(opts.rootDir, { ...volumes, log: opts.log });
  }

  /** The pod's ConfigMaps and Secrets as last given. */
  data(uid: string): PodConfigData | undefined {
    return this.configData.get(uid);
  }

  setData(uid: string, data: PodConfigData): void {
    this.configData.set(uid, data);
  }

  /** Set up the pod's volumes; false (with a FailedMount event when the message is new) when one cannot be. */
  async setUp(pod: Pod, podIP: string | undefined): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    const got = await this.volumes.setUp({
      pod, podIP: podIP ?? '', hostIP: this.opts.hostIP, nodeName: this.opts.nodeName, data: this.configData.get(uid), now: new Date(this.opts.now()),
    });
    if (got.ok) {
      this.mountFailures.delete(uid);
      return true;
    }
    const message = `MountVolume.SetUp failed for volume "${got.volume}" : ${got.message}`;
    if (this.mountFailures.get(uid) !== message) {
      this.mountFailures.set(uid, message);
      this.emitEvent({ podUid: uid, namespace: pod.metadata.namespace ?? 'default', podName: pod.metadata.name ?? '', type: 'Warning', reason: 'FailedMount', message });
    }
    return false;
  }

  /** Remove the pod's volumes and forget its data (a failure is logged). */
  async tearDown(uid: string): Promise<void> {
    this.configData.delete(uid);
    this.mountFailures.delete(uid);
    await this.volumes.tearDown(uid).catch((err: unknown) => this.opts.log.warn({ uid, err }, 'removing the pod volumes failed'));
  }
}
