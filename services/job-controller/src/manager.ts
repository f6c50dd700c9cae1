import type { ApiClient, WorkQueueMetricsProvider } from '@kjobs/client';
import type { Logger } from 'pino';
import { JobController } from './job/controller.js';
import { CronJobController } from './cronjob/controller.js';
import { GarbageCollector } from './gc/controller.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { createShared, startShared } from './shared.js';
import { TtlController } from './ttl/controller.js';
import { createJobQueues, type MemqAccess } from './memq/job-queues.js';

/** Options of the controller manager. */
export interface ManagerOptions {
  client: ApiClient;
  log: Logger;
  /** Node heartbeat grace period (default 50 s). */
  nodeGraceMs?: number;
  /** Delay after NotReady before a lost node's pods fail (default 10 s). */
  podEvictionMs?: number;
  /** Zone of CronJobs without spec.timeZone (default UTC). */
  cronTimeZone?: string;
  /** Node pod CIDRs come from here (default 10.244.0.0/16); false: no node IPAM. */
  clusterCIDR?: string | false;
  /** Prefix length of each node's pod CIDR (default 24). */
  nodeCIDRMaskSize?: number;
  now?: () => Date;
  /** Where each controller's work queue reports (default: nowhere). */
  queueMetrics?: WorkQueueMetricsProvider;
  /** How to ask MemQ for queue-aware completion (kjobs.io/memq-queue); none: Kubernetes' rules. */
  memq?: MemqAccess;
}

/** Start every controller over one set of shared informers; resolves once every cache is synced, to a stop function. */
export async function startControllers(o: ManagerOptions): Promise<() => void> {
  const shared = createShared(o.client, o.log, o.now, o.queueMetrics);
  const controllers = [
    new JobController(shared, o.memq ? createJobQueues(o.client, shared.pods, o.memq) : undefined),
    new CronJobController(shared, o.cronTimeZone ?? 'UTC'),
    new ReplicaSetController(shared),
    new TtlController(shared),
    new GarbageCollector(shared),
    new NodeLifecycleController(shared, { gracePeriodMs: o.nodeGraceMs ?? 50_000, podEvictionDelayMs: o.podEvictionMs ?? 10_000 }),
    ...(o.clusterCIDR === false ? [] : [new NodeIpamController(shared, { clusterCIDR: o.clusterCIDR ?? '10.244.0.0/16', nodeMaskSize: o.nodeCIDRMaskSize ?? 24 })]),
  ];
  // Every cache is complete before any sync runs (a Job synced before its pods are listed would
  // create them again); handlers registered after the lists get an add for every cached object.
  await startShared(shared);
  for (const c of controllers) c.start();
  o.log.info('controllers running');
  return () => {
    for (const c of controllers) c.stop();
    for (const inf of [shared.jobs, shared.pods, shared.cronjobs, shared.replicasets, shared.nodes, shared.nodeLeases]) inf.stop();
  };
}
