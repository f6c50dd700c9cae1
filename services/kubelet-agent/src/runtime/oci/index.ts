/**
 * The OCI engine of the kubelet-agent's runtime: pods as containers from pulled images, run by
 * runc (see oci-engine.ts and the service README).
 */
export { OciEngine, type OciEngineOptions, checkNonRoot } from './oci-engine.js';
export { Runc } from './runc.js';
export { OciLayout } from './run-files.js';
export { cgroupMode, cpuUsageNs, wasOomKilled } from './cgroups.js';
export { ImagePuller, type ImageSource, type PullBackoffOptions } from './image-puller.js';
export { buildRuntimeSpec, containerArgs, mergeEnv, capabilitySet, effectiveSecurityContext } from './spec.js';
export { containerResources } from './resources.js';
