/**
 * Kubernetes object shapes served by kjobs (core/v1, apps/v1, batch/v1, coordination.k8s.io/v1).
 * Field names follow Kubernetes 1.32 exactly. Only the fields kjobs reads or writes are typed; any
 * other field a client sends is kept as-is (objects are plain JSON).
 */
export type * from './types/meta.js';
export type * from './types/pod.js';
export type * from './types/batch.js';
export type * from './types/cluster.js';
